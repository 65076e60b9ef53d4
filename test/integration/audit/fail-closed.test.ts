import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { RequestAuditRecord } from "../../../src/audit/record.ts";
import { BrokerError } from "../../../src/shared/errors.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import {
  auditConfig,
  histogramCount,
  readStream,
  requestRecord,
  startWriter,
  tempDir,
  waitFor,
} from "../../support/audit-fixtures.ts";

describe("audit writer, fail-closed", () => {
  let redis: RedisHarness;
  before(async () => {
    redis = await startRedis({ persist: true });
  });
  after(() => redis.close());

  it("writes the record's fields, all strings, to the hash-tagged stream under the prefix", async () => {
    const { writer, keys, stop } = await startWriter(redis, auditConfig());
    try {
      assert.equal(keys.log, `${redis.keyPrefix}{audit}:log`);
      const record = requestRecord({ name: "web-0" });
      // A careless caller's extra properties never reach the stream.
      await writer.append({ ...record, authorization: "Bearer secret", body: "{}" } as typeof record);
      const raw = (await redis.client().xrange(keys.log, "-", "+")) as [string, string[]][];
      const fields = raw.at(-1)![1];
      const names = fields.filter((_, i) => i % 2 === 0);
      assert.deepEqual(names.sort(), Object.keys(record).sort());
      assert.ok(fields.every((v) => typeof v === "string"));
      assert.ok(!fields.includes("Bearer secret"));
      const [entry] = (await readStream(redis.client(), keys.log)).slice(-1);
      assert.equal(entry!.id, record.id);
      assert.equal((entry as RequestAuditRecord).name, "web-0");
    } finally {
      await stop();
    }
  });

  it("shares round trips among 1,000 concurrent appends", async () => {
    const { writer, keys, registry, stop } = await startWriter(redis, auditConfig());
    try {
      const before = await redis.client().xlen(keys.log);
      const records = Array.from({ length: 1000 }, () => requestRecord());
      await Promise.all(records.map((r) => writer.append(r)));
      const roundTrips = await histogramCount(registry, "kube_broker_audit_write_batch_records");
      assert.ok(roundTrips <= 10, `expected few round trips, got ${roundTrips}`);
      assert.equal((await redis.client().xlen(keys.log)) - before, 1000);
      const ids = (await readStream(redis.client(), keys.log)).slice(-1000).map((e) => e.id);
      assert.deepEqual(
        ids,
        records.map((r) => r.id),
        "in append order",
      );
    } finally {
      await stop();
    }
  });

  it("refuses within writeTimeout when Redis accepts the connection but does not answer", async () => {
    const { writer, stop } = await startWriter(redis, auditConfig({ writeTimeout: 0.3 }));
    const admin = redis.client();
    try {
      await admin.call("client", "pause", "1500", "WRITE");
      const started = Date.now();
      await assert.rejects(writer.append(requestRecord()), (err: BrokerError) => err.code === 503);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 250 && elapsed < 1000, `refused after ${elapsed} ms`);
    } finally {
      await admin.call("client", "unpause");
      await stop();
    }
  });

  it("refuses with 503 within writeTimeout while Redis is down, writes nothing, then recovers", {
    skip: !!process.env.REDIS_URL,
  }, async () => {
    const dir = await tempDir();
    const spoolPath = join(dir, "spool.jsonl");
    const config = auditConfig({ writeTimeout: 1, spool: { path: spoolPath, maxBytes: 1 << 20 } });
    const { writer, keys, registry, stop } = await startWriter(redis, config);
    try {
      const lengthBefore = await redis.client().xlen(keys.log);
      await redis.stop();
      const refused = Array.from({ length: 20 }, () => requestRecord());
      const started = Date.now();
      const results = await Promise.allSettled(refused.map((r) => writer.append(r)));
      const elapsed = Date.now() - started;
      assert.ok(elapsed <= 1000, `refused after ${elapsed} ms`);
      for (const result of results) {
        assert.equal(result.status, "rejected");
        const err = (result as PromiseRejectedResult).reason as BrokerError;
        assert.ok(err instanceof BrokerError);
        assert.equal(err.code, 503);
        assert.equal(err.message, "audit log unavailable: the request was not forwarded");
      }
      const failures = (await registry.getSingleMetric("kube_broker_audit_write_failures_total")!.get())
        .values;
      assert.deepEqual(
        failures.map((v) => [v.labels.reason, v.value]),
        [["unreachable", 20]],
      );

      await redis.start();
      const fresh = redis.client();
      const record = requestRecord();
      await waitFor(async () => {
        try {
          await writer.append(record);
          return true;
        } catch {
          return false;
        }
      });
      const entries = await readStream(fresh, keys.log);
      assert.equal(entries.length, lengthBefore + 1, "only the record appended after the restart");
      assert.equal(entries.at(-1)!.id, record.id);
      const refusedIds = new Set(refused.map((r) => r.id));
      assert.ok(!entries.some((e) => refusedIds.has(e.id)));
      assert.equal(existsSync(spoolPath), false, "fail-closed keeps nothing locally");
    } finally {
      await stop();
    }
  });
});
