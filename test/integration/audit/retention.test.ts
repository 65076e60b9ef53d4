import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { auditKeys } from "../../../src/audit/audit-keys.ts";
import { AuditRetention } from "../../../src/audit/audit-retention.ts";
import { systemClock } from "../../../src/shared/clock.ts";
import { silentLogger } from "../../../src/shared/logger.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { auditConfig, readStream, requestRecord, startWriter } from "../../support/audit-fixtures.ts";
import { ADMIN, startAuditApp } from "./app.ts";

const DAY_MS = 86_400_000;

describe("audit retention and keys", () => {
  let redis: RedisHarness;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.close());

  it("bounds the stream's length on every append (MAXLEN ~)", async () => {
    const keyPrefix = "kblength:";
    // 3,000 appends at once queue behind each other: on a loaded machine the last waits longer
    // than the fixture's 1 s write deadline. The deadline is not what this test is about.
    const config = auditConfig({ retention: { maxAge: 30 * 86400, maxLength: 1000 }, writeTimeout: 30 });
    const { writer, keys, stop } = await startWriter({ ...redis, keyPrefix }, config);
    try {
      const records = Array.from({ length: 3000 }, () => requestRecord());
      await Promise.all(records.map((r) => writer.append(r)));
      const length = await redis.client().xlen(keys.log);
      // "~" trims whole radix-tree nodes (100 entries by default), never below the limit.
      assert.ok(length >= 1000 && length <= 1100, `stream length ${length}`);
      const kept = await readStream(redis.client(), keys.log);
      assert.equal(kept.at(-1)!.id, records.at(-1)!.id, "the newest records are the ones kept");
    } finally {
      await stop();
    }
  });

  it("trims records older than maxAge under a lease, keeping newer ones", async () => {
    const keyPrefix = "kbage:";
    const keys = auditKeys(keyPrefix);
    const client = redis.client();
    const old = Date.now() - 40 * DAY_MS;
    for (let i = 0; i < 500; i++)
      await client.xadd(keys.log, `${old + i}-0`, "type", "request", "id", `old-${i}`);
    const { writer, stop } = await startWriter({ ...redis, keyPrefix }, auditConfig());
    const fresh = Array.from({ length: 10 }, () => requestRecord());
    for (const record of fresh) await writer.append(record);
    await stop();

    const retention = (holder: string) =>
      new AuditRetention({
        redis: client,
        keys,
        maxAgeSeconds: 30 * 86400,
        clock: systemClock,
        logger: silentLogger(),
        holder,
      });
    const first = retention("replica-a");
    const second = retention("replica-b");
    try {
      assert.ok((await first.trimOnce()) >= 400, "whole nodes of old entries go");
      await client.xadd(keys.log, "*", "type", "request", "id", "newest");
      assert.equal(await second.trimOnce(), 0, "only the lease holder trims");
      const kept = (await readStream(client, keys.log)).map((e) => e.id);
      assert.deepEqual(kept.slice(-11), [...fresh.map((r) => r.id), "newest"]);
      assert.ok(kept.filter((id) => id.startsWith("old-")).length < 100);
    } finally {
      await first.stop();
      await second.stop();
    }
  });

  it("keeps every key it creates under the configured prefix and the {audit} hash tag", async () => {
    const keyPrefix = "tenant-x:";
    const app = await startAuditApp(redis, auditConfig({ export: { kind: "stdout" } }), {
      keyPrefix,
      exportSink: { kind: "memory", deliver: async () => {} },
    });
    try {
      await app.audit.writer.append(requestRecord());
      await app.audit.lifecycle.publish({ event: "login", user: ADMIN });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const keys = (await redis.client().keys("*")).filter((key) => key.startsWith(keyPrefix));
      assert.ok(keys.length >= 3, `keys: ${keys.join(", ")}`);
      for (const key of keys) assert.ok(key.startsWith(`${keyPrefix}{audit}:`), key);
      const lifecycle = (await readStream(redis.client(), `${keyPrefix}{audit}:log`)).at(-1)!;
      assert.equal(lifecycle.type, "lifecycle");
      assert.equal(lifecycle.user, ADMIN);
      assert.match(lifecycle.ts, /^\d{4}-\d{2}-\d{2}T/);
      assert.ok(lifecycle.id.length > 0);
    } finally {
      await app.close();
    }
  });
});
