import assert from "node:assert/strict";
import { copyFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { RedisAuditWriter } from "../../../src/audit/write/redis-audit-writer.ts";
import { SPOOL_FULL } from "../../../src/audit/write/write-mode.ts";
import type { BrokerError } from "../../../src/shared/errors.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import {
  auditConfig,
  metricValue,
  readStream,
  requestRecord,
  startWriter,
  tempDir,
  waitFor,
} from "../../support/audit-fixtures.ts";

const skip = !!process.env.REDIS_URL;

describe("audit writer, buffered", { skip }, () => {
  let redis: RedisHarness;
  before(async () => {
    redis = await startRedis({ persist: true });
  });
  after(() => redis.close());

  async function bufferedWriter(options: { maxBytes?: number; chunk?: number; spoolPath?: string } = {}) {
    const path = options.spoolPath ?? join(await tempDir(), "spool.jsonl");
    const config = auditConfig({
      mode: "buffered",
      writeTimeout: 0.5,
      spool: { path, maxBytes: options.maxBytes ?? 1024 * 1024 },
    });
    const writer = await startWriter(redis, config, {
      replay: { chunk: options.chunk ?? 500, retryInitialMs: 20, retryMaxMs: 200 },
    });
    return { ...writer, path };
  }

  /** Appends n records with mixed concurrency: bursts of parallel appends and single ones. */
  async function appendMixed(writer: RedisAuditWriter, n: number) {
    const records = Array.from({ length: n }, (_, i) =>
      requestRecord({ id: `buffered-${i}-${Math.random()}` }),
    );
    for (let i = 0; i < n; ) {
      const burst = records.slice(i, i + 1 + (i % 7));
      await Promise.all(burst.map((r) => writer.append(r)));
      i += burst.length;
    }
    return records;
  }

  async function streamIdsSince(key: string, before: number) {
    return (await readStream(redis.client(), key)).slice(before).map((e) => e.id);
  }

  /** A new writer on the same spool empties it; the stream then holds each record once, in order. */
  async function drainInNewWriter(
    spoolPath: string,
    key: string,
    before: number,
    records: { id: string }[],
    chunk: number,
  ) {
    const second = await bufferedWriter({ spoolPath, chunk });
    try {
      await waitFor(async () => (await stat(spoolPath)).size === 0);
      assert.deepEqual(
        await streamIdsSince(key, before),
        records.map((r) => r.id),
      );
    } finally {
      await second.stop();
    }
  }

  it("writes straight to Redis while it is up, leaving the spool empty", async () => {
    const { writer, keys, path, stop } = await bufferedWriter();
    try {
      const before = await redis.client().xlen(keys.log);
      const records = await appendMixed(writer, 20);
      assert.deepEqual(
        await streamIdsSince(keys.log, before),
        records.map((r) => r.id),
      );
      assert.equal((await stat(path)).size, 0);
    } finally {
      await stop();
    }
  });

  it("spools while Redis is down and replays every record once, in order, when it returns", async () => {
    const { writer, keys, path, registry, stop } = await bufferedWriter();
    try {
      const before = await redis.client().xlen(keys.log);
      const early = await appendMixed(writer, 5);
      await redis.stop();
      const spooled = await appendMixed(writer, 150);
      assert.ok((await stat(path)).size > 0);
      assert.equal(await metricValue(registry, "kube_broker_audit_spool_records"), 150);
      await redis.start();
      // Records appended while the replay runs must queue behind the spooled ones.
      const late = await appendMixed(writer, 30);
      await waitFor(async () => (await stat(path)).size === 0);
      const expected = [...early, ...spooled, ...late].map((r) => r.id);
      assert.deepEqual(await streamIdsSince(keys.log, before), expected);
      assert.equal(await metricValue(registry, "kube_broker_audit_spool_records"), 0);
    } finally {
      await stop();
    }
  });

  it("does not duplicate when a writer dies after replaying but before emptying the spool", async () => {
    const first = await bufferedWriter();
    const before = await redis.client().xlen(first.keys.log);
    await redis.stop();
    const records = await appendMixed(first.writer, 60);
    const crashCopy = `${first.path}.crash`;
    await copyFile(first.path, crashCopy);
    await redis.start();
    await waitFor(async () => (await stat(first.path)).size === 0);
    await first.stop();
    // The spool as the crashed process would have left it: every line still there.
    await copyFile(crashCopy, first.path);
    await drainInNewWriter(first.path, first.keys.log, before, records, 500);
  });

  it("finishes a replay cut off midway in a new writer, without loss or duplicates", async () => {
    const first = await bufferedWriter({ chunk: 5 });
    const before = await redis.client().xlen(first.keys.log);
    await redis.stop();
    const records = await appendMixed(first.writer, 200);
    await redis.start();
    await waitFor(async () => (await redis.client().xlen(first.keys.log)) - before >= 20, 10_000);
    await first.stop();
    const replayedByFirst = (await redis.client().xlen(first.keys.log)) - before;
    assert.ok(replayedByFirst < 200, `the first writer replayed ${replayedByFirst} before stopping`);
    assert.ok((await stat(first.path)).size > 0);

    await drainInNewWriter(first.path, first.keys.log, before, records, 7);
  });

  it("refuses with 503 once the spool is full, and never grows it past maxBytes", async () => {
    const maxBytes = 8 * 1024;
    const { writer, keys, path, registry, stop } = await bufferedWriter({ maxBytes });
    let accepted: string[] = [];
    try {
      const before = await redis.client().xlen(keys.log);
      await redis.stop();
      let refusal: BrokerError | undefined;
      for (let i = 0; i < 1000 && !refusal; i++) {
        const record = requestRecord();
        try {
          await writer.append(record);
          accepted.push(record.id);
        } catch (err) {
          refusal = err as BrokerError;
        }
      }
      assert.ok(refusal, "the spool filled up");
      assert.equal(refusal.code, 503);
      assert.equal(refusal.message, SPOOL_FULL);
      assert.ok(accepted.length > 5);
      const size = (await stat(path)).size;
      assert.ok(size <= maxBytes, `spool is ${size} bytes`);
      assert.equal(await metricValue(registry, "kube_broker_audit_spool_bytes"), size);
      // Concurrent appends against a full spool are refused too.
      const burst = await Promise.allSettled(
        Array.from({ length: 10 }, () => writer.append(requestRecord())),
      );
      assert.ok(burst.every((r) => r.status === "rejected"));
      assert.ok((await stat(path)).size <= maxBytes);

      await redis.start();
      await waitFor(async () => (await stat(path)).size === 0);
      assert.deepEqual(await streamIdsSince(keys.log, before), accepted);
      accepted = [];
      await writer.append(requestRecord());
    } finally {
      await stop();
    }
  });
});
