import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Registry } from "prom-client";
import { type AuditKeys, auditKeys, EXPORT_GROUP } from "../../../src/audit/audit-keys.ts";
import { createAuditMetrics } from "../../../src/audit/audit-metrics.ts";
import { dedicatedConnection } from "../../../src/audit/connection.ts";
import { AuditExporter } from "../../../src/audit/export/audit-exporter.ts";
import { type ExportSink, FileSink, WebhookSink } from "../../../src/audit/export/export-sinks.ts";
import type { AuditEntry } from "../../../src/audit/record-fields.ts";
import { silentLogger } from "../../../src/shared/logger.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import {
  auditConfig,
  metricValue,
  requestRecord,
  startWriter,
  tempDir,
  waitFor,
} from "../../support/audit-fixtures.ts";
import { startAuditApp } from "./app.ts";

describe("audit export worker", () => {
  let redis: RedisHarness;
  let prefixes = 0;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.close());

  /** A writer on a fresh prefix and `count` records in its stream. */
  async function seededStream(count: number) {
    const keyPrefix = `kbexport${++prefixes}:`;
    const { writer, stop } = await startWriter({ ...redis, keyPrefix }, auditConfig());
    const records = Array.from({ length: count }, () => requestRecord());
    await Promise.all(records.map((r) => writer.append(r)));
    return { keyPrefix, keys: auditKeys(keyPrefix), ids: records.map((r) => r.id), writer, stopWriter: stop };
  }

  function exporter(keys: AuditKeys, sink: ExportSink, holder: string, extra: Record<string, number> = {}) {
    const registry = new Registry();
    const client = redis.client();
    const connection = dedicatedConnection(client);
    const exporter = new AuditExporter({
      redis: client,
      connection,
      keys,
      shard: 0,
      sink,
      metrics: createAuditMetrics(registry),
      logger: silentLogger(),
      holder,
      leaseTtlMs: 1500,
      batch: 40,
      blockMs: 200,
      retry: { initialMs: 20, maxMs: 100 },
      ...extra,
    });
    exporter.start();
    // Stops like createAudit does: the blocking read is cut by closing its connection.
    const worker = {
      stop: async () => {
        const stopped = exporter.stop();
        connection.disconnect();
        await stopped;
      },
    };
    return { worker, registry };
  }

  async function pendingCount(keys: AuditKeys): Promise<number> {
    const summary = (await redis.client().call("xpending", keys.log, EXPORT_GROUP)) as [number, ...unknown[]];
    return Number(summary[0]);
  }

  // The sink may be mid-write while a test reads: only whole lines (ending in \n) count.
  const fileIds = async (path: string) =>
    (await readFile(path, "utf8").catch(() => ""))
      .split("\n")
      .slice(0, -1)
      .map((line) => (JSON.parse(line) as AuditEntry).id);

  it("delivers every record in order to a JSON-lines file and acknowledges them", async () => {
    const { keys, ids, writer, stopWriter } = await seededStream(150);
    const path = join(await tempDir(), "export", "audit.jsonl");
    const { worker, registry } = exporter(keys, new FileSink({ path }), "solo");
    try {
      const more = Array.from({ length: 30 }, () => requestRecord());
      for (const record of more) await writer.append(record);
      const expected = [...ids, ...more.map((r) => r.id)];
      await waitFor(async () => (await fileIds(path)).length >= expected.length);
      assert.deepEqual(await fileIds(path), expected);
      await waitFor(async () => (await pendingCount(keys)) === 0);
      assert.equal(
        await metricValue(registry, "kube_broker_audit_export_delivered_total", { sink: "file" }),
        180,
      );
    } finally {
      await worker.stop();
      await stopWriter();
    }
  });

  it("retries a failing webhook until it takes the batch, then acknowledges", async () => {
    const { keys, ids, stopWriter } = await seededStream(30);
    const received: AuditEntry[][] = [];
    let calls = 0;
    const receiver = createServer(async (req: IncomingMessage, res) => {
      let body = "";
      for await (const chunk of req) body += chunk;
      calls++;
      if (calls <= 2) {
        res.writeHead(calls === 1 ? 500 : 503).end();
        return;
      }
      assert.equal(req.headers["content-type"], "application/json");
      assert.equal(req.headers.authorization, "Bearer siem-token");
      received.push(JSON.parse(body) as AuditEntry[]);
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/ingest`;
    const sink = new WebhookSink({ url, headers: { authorization: "Bearer siem-token" } });
    const { worker, registry } = exporter(keys, sink, "webhook");
    try {
      await waitFor(() => received.flat().length >= ids.length);
      assert.ok(received.every((batch) => Array.isArray(batch)));
      assert.deepEqual(
        received.flat().map((e) => e.id),
        ids,
      );
      assert.equal(
        await metricValue(registry, "kube_broker_audit_export_failures_total", { sink: "webhook" }),
        2,
      );
      await waitFor(async () => (await pendingCount(keys)) === 0);
    } finally {
      await worker.stop();
      receiver.closeAllConnections();
      receiver.close();
      await stopWriter();
    }
  });

  it("re-delivers a batch whose worker was killed before acknowledging it; nothing is lost", async () => {
    const { keyPrefix, keys, ids, stopWriter } = await seededStream(200);
    const path = join(await tempDir(), "audit.jsonl");
    const child = spawn(process.execPath, [join(import.meta.dirname, "export-child.ts")], {
      env: {
        ...process.env,
        REDIS_URL: redis.url,
        KEY_PREFIX: keyPrefix,
        EXPORT_FILE: path,
        LEASE_TTL_MS: "1000",
        BATCH: "50",
        HOLD_MS: "60000",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitFor(() => output.includes("delivered 50"), 15_000);
    child.kill("SIGKILL");
    await once(child, "exit");
    assert.deepEqual(await fileIds(path), ids.slice(0, 50), "the first batch reached the file");
    assert.equal(await pendingCount(keys), 50, "and was never acknowledged");

    const { worker } = exporter(keys, new FileSink({ path }), "successor", { leaseTtlMs: 1000 });
    try {
      await waitFor(async () => (await fileIds(path)).length >= 250, 15_000);
      const delivered = await fileIds(path);
      assert.deepEqual(delivered.slice(50), ids, "the orphaned batch again, then everything after it");
      assert.deepEqual([...new Set(delivered)], ids);
      await waitFor(async () => (await pendingCount(keys)) === 0);
    } finally {
      await worker.stop();
      await stopWriter();
    }
  });

  it("exports from one replica at a time; another takes over when it stops", async () => {
    const { keys, ids, writer, stopWriter } = await seededStream(60);
    const sinks = [memorySink(), memorySink()];
    const first = exporter(keys, sinks[0]!, "replica-a");
    await waitFor(() => sinks[0]!.ids.length === 60);
    const second = exporter(keys, sinks[1]!, "replica-b");
    try {
      const more = Array.from({ length: 20 }, () => requestRecord());
      for (const record of more) await writer.append(record);
      await waitFor(() => sinks[0]!.ids.length === 80);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(sinks[1]!.ids.length, 0, "the replica without the lease exports nothing");

      await first.worker.stop();
      const last = Array.from({ length: 10 }, () => requestRecord());
      for (const record of last) await writer.append(record);
      await waitFor(() => sinks[1]!.ids.length === 10, 10_000);
      assert.deepEqual(
        [...sinks[0]!.ids, ...sinks[1]!.ids],
        [...ids, ...more.map((r) => r.id), ...last.map((r) => r.id)],
      );
    } finally {
      await first.worker.stop();
      await second.worker.stop();
      await stopWriter();
    }
  });

  it("stopping the audit feature mid-delivery acknowledges the delivered batch first", async () => {
    const keyPrefix = `kbexport${++prefixes}:`;
    let release: () => void = () => {};
    const delivered: string[] = [];
    const receiver = createServer(async (req: IncomingMessage, res) => {
      let body = "";
      for await (const chunk of req) body += chunk;
      delivered.push(...(JSON.parse(body) as AuditEntry[]).map((e) => e.id));
      release = () => res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/ingest`;
    const app = await startAuditApp(
      { ...redis, keyPrefix },
      auditConfig({ export: { kind: "webhook", url } }),
    );
    try {
      await app.audit.writer.append(requestRecord());
      await waitFor(() => delivered.length === 1);
      // The sink has the batch and is about to say so; the broker is asked to stop now.
      const stopped = app.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      release();
      await stopped;
      assert.equal(await pendingCount(auditKeys(keyPrefix)), 0, "acknowledged, so never delivered again");
    } finally {
      receiver.closeAllConnections();
      receiver.close();
    }
  });
});

function memorySink(): ExportSink & { ids: string[] } {
  const ids: string[] = [];
  return {
    kind: "memory",
    ids,
    async deliver(entries) {
      ids.push(...entries.map((e) => e.id));
    },
  };
}
