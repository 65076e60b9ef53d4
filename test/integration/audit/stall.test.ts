import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { RedisAuditWriter } from "../../../src/audit/write/redis-audit-writer.ts";
import type { BrokerError } from "../../../src/shared/errors.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import {
  auditConfig,
  readStream,
  requestRecord,
  startWriter,
  tempDir,
  waitFor,
} from "../../support/audit-fixtures.ts";

/**
 * Redis stalled (SIGSTOP) rather than gone: its connections stay open, so commands sit in
 * its socket and run when it resumes. The writer gives up after writeTimeout; what it gave
 * up on must not land afterwards (fail-closed: the request was refused) or must land once,
 * in order (buffered: the record was spooled and is replayed).
 */
const PAUSE_MS = 5000;
const RATE_PER_SECOND = 20;

interface Outcome {
  id: string;
  ok: boolean;
  ms: number;
  err?: BrokerError;
}

/** Appends at RATE_PER_SECOND while Redis is paused; each append's outcome and duration. */
async function appendDuringPause(redis: RedisHarness, writer: RedisAuditWriter, shards: number) {
  const outcomes: Promise<Outcome>[] = [];
  redis.pause();
  try {
    const started = performance.now();
    for (let i = 0; performance.now() - started < PAUSE_MS - 1000; i++) {
      const record = requestRecord({ id: `stalled-${shards}-${i}`, phase: i % 2 ? "end" : "start" });
      const t0 = performance.now();
      outcomes.push(
        writer.append(record).then(
          () => ({ id: record.id, ok: true, ms: performance.now() - t0 }),
          (err: BrokerError) => ({ id: record.id, ok: false, ms: performance.now() - t0, err }),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 1000 / RATE_PER_SECOND));
    }
    const settled = await Promise.all(outcomes);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, PAUSE_MS - (performance.now() - started))),
    );
    return settled;
  } finally {
    redis.resume();
  }
}

for (const shards of [1, 3]) {
  describe(`audit writer while Redis is stalled (${shards} shard${shards > 1 ? "s" : ""})`, {
    skip: !!process.env.REDIS_URL,
  }, () => {
    let redis: RedisHarness;
    before(async () => {
      redis = await startRedis();
    });
    after(() => redis.close());

    async function allIds(keys: { shards: readonly { log: string }[] }) {
      const ids: string[] = [];
      for (const shard of keys.shards)
        ids.push(...(await readStream(redis.client(), shard.log)).map((e) => e.id));
      return ids;
    }

    it("fail-closed: refuses within writeTimeout, and nothing refused lands after Redis resumes", async () => {
      const writeTimeout = 1;
      const { writer, keys, stop } = await startWriter(redis, auditConfig({ writeTimeout, shards }));
      try {
        await writer.append(requestRecord({ id: `before-${shards}` }));
        const outcomes = await appendDuringPause(redis, writer, shards);
        assert.ok(outcomes.length >= 50, `${outcomes.length} appends during the pause`);
        for (const outcome of outcomes) {
          assert.equal(outcome.ok, false, `${outcome.id} was refused`);
          assert.equal(outcome.err?.code, 503);
          assert.ok(outcome.ms <= writeTimeout * 1000 + 250, `${outcome.id} refused after ${outcome.ms} ms`);
        }
        // Once Redis answers again, the stalled commands have run: wait for a write after them.
        const afterwards = requestRecord({ id: `after-${shards}` });
        await waitFor(async () => {
          try {
            await writer.append(afterwards);
            return true;
          } catch {
            return false;
          }
        });
        const ids = await allIds(keys);
        const refused = new Set(outcomes.map((o) => o.id));
        assert.deepEqual(
          ids.filter((id) => refused.has(id)),
          [],
          "no record of a refused request is in the stream",
        );
        assert.ok(ids.includes(`before-${shards}`) && ids.includes(afterwards.id));
      } finally {
        await stop();
      }
    });

    it("buffered: spools within the bound, then every record is in the stream once, in order", async () => {
      const writeTimeout = 0.5;
      const path = join(await tempDir(), "spool.jsonl");
      const config = auditConfig({
        mode: "buffered",
        writeTimeout,
        shards,
        spool: { path, maxBytes: 1 << 20 },
      });
      const { writer, keys, stop } = await startWriter(redis, config, {
        replay: { chunk: 7, retryInitialMs: 20, retryMaxMs: 200 },
      });
      try {
        const earlier = new Set(await allIds(keys));
        const first = requestRecord({ id: `first-${shards}` });
        await writer.append(first);
        const outcomes = await appendDuringPause(redis, writer, shards);
        for (const outcome of outcomes) {
          assert.equal(outcome.ok, true, `${outcome.id}: ${outcome.err?.message}`);
          assert.ok(outcome.ms <= writeTimeout * 1000 + 250, `${outcome.id} took ${outcome.ms} ms`);
        }
        const late = Array.from({ length: 10 }, (_, i) => requestRecord({ id: `late-${shards}-${i}` }));
        for (const record of late) await writer.append(record);
        await waitFor(async () => (await stat(path)).size === 0, 15_000);
        const expected = [first.id, ...outcomes.map((o) => o.id), ...late.map((r) => r.id)];
        const ids = (await allIds(keys)).filter((id) => !earlier.has(id));
        assert.equal(ids.length, new Set(ids).size, "no record twice");
        assert.deepEqual([...ids].sort(), [...expected].sort(), "every record");
        // In order within each shard: the order the writer was given them.
        for (const shard of keys.shards) {
          const inShard = (await readStream(redis.client(), shard.log))
            .map((e) => e.id)
            .filter((id) => !earlier.has(id));
          assert.deepEqual(
            inShard,
            expected.filter((id) => inShard.includes(id)),
          );
        }
      } finally {
        await stop();
      }
    });
  });
}
