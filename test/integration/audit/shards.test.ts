import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { auditKeys, shardOf } from "../../../src/audit/audit-keys.ts";
import { AuditRetention } from "../../../src/audit/audit-retention.ts";
import type { AuditEntry } from "../../../src/audit/record-fields.ts";
import { systemClock } from "../../../src/shared/clock.ts";
import { silentLogger } from "../../../src/shared/logger.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { auditConfig, readStream, requestRecord, waitFor } from "../../support/audit-fixtures.ts";
import { ADMIN, type AuditApp, startAuditApp } from "./app.ts";

const SHARDS = 3;
const DAY_MS = 86_400_000;

describe("a sharded audit log (3 shards)", () => {
  let redis: RedisHarness;
  let prefixes = 0;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.close());

  const freshPrefix = () => `kbshards${++prefixes}:`;

  async function getJson(app: AuditApp, path: string) {
    const res = await fetch(`${app.url}${path}`, { headers: app.headers(ADMIN) });
    assert.equal(res.status, 200, path);
    return (await res.json()) as { items: AuditEntry[]; nextCursor: string | null };
  }

  /** Every page from `query` with `limit`; the ids in the order they came. */
  async function allPages(app: AuditApp, query: string, limit: number, between?: () => Promise<void>) {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: AuditEntry[]; nextCursor: string | null } = await getJson(
        app,
        `/v1/audit?${query}&limit=${limit}${cursor ? `&after=${encodeURIComponent(cursor)}` : ""}`,
      );
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
      await between?.();
    } while (cursor);
    return seen;
  }

  it("keeps shard 0 under {audit}, the others under tags of their own, each writer mark beside its stream", async () => {
    const keys = auditKeys("kb:", SHARDS);
    assert.deepEqual(
      keys.shards.map((s) => s.log),
      ["kb:{audit}:log", "kb:{audit:1.2}:log", "kb:{audit:2.1}:log"],
    );
    assert.equal(keys.shards[2]!.writerSequence("w1"), "kb:{audit:2.1}:writer:w1");
    assert.equal(auditKeys("kb:").log, "kb:{audit}:log", "one shard: the key names of old");
    // A request's start and end share its id, so its shard; lifecycle events go to shard 0.
    const spread = new Set(
      Array.from({ length: 60 }, (_, i) => shardOf({ type: "request", id: `r${i}` }, 3)),
    );
    assert.deepEqual([...spread].sort(), [0, 1, 2]);
    assert.equal(shardOf({ type: "lifecycle", id: "anything" }, 3), 0);
  });

  it("writes a request's start and end to one shard and merges the shards in time order", async () => {
    const keyPrefix = freshPrefix();
    const app = await startAuditApp(redis, auditConfig({ shards: SHARDS }), { keyPrefix });
    try {
      const records = [];
      for (let i = 0; i < 30; i++) {
        const start = requestRecord({ phase: "start" });
        const end = { ...start, phase: "end" as const };
        await app.audit.writer.append(start);
        await new Promise((resolve) => setTimeout(resolve, 2));
        await app.audit.writer.append(end);
        await new Promise((resolve) => setTimeout(resolve, 2));
        records.push(start.id);
      }
      const perShard = await Promise.all(
        auditKeys(keyPrefix, SHARDS).shards.map((s) => readStream(redis.client(), s.log)),
      );
      assert.ok(
        perShard.every((entries) => entries.length > 0),
        "every shard got records",
      );
      for (const entries of perShard) {
        const ids = entries.map((e) => e.id);
        for (const id of new Set(ids))
          assert.equal(ids.filter((x) => x === id).length, 2, "start and end together");
      }
      const asc = (await getJson(app, "/v1/audit?limit=1000")).items;
      assert.deepEqual(
        asc.map((e) => `${e.id}:${(e as unknown as { phase: string }).phase}`),
        records.flatMap((id) => [`${id}:start`, `${id}:end`]),
      );
      const desc = (await getJson(app, "/v1/audit?order=desc&limit=1000")).items;
      assert.deepEqual(
        desc.map((e) => e.streamId),
        asc.map((e) => e.streamId).reverse(),
      );
    } finally {
      await app.close();
    }
  });

  it("pages across shards with no gap and no repeat, both ways, while records keep arriving", async () => {
    const app = await startAuditApp(redis, auditConfig({ shards: SHARDS }), { keyPrefix: freshPrefix() });
    try {
      // Bursts share milliseconds across shards: ties must still page exactly.
      const seeded = Array.from({ length: 300 }, (_, i) => requestRecord({ verb: i % 3 ? "get" : "delete" }));
      for (let i = 0; i < seeded.length; i += 30)
        await Promise.all(seeded.slice(i, i + 30).map((r) => app.audit.writer.append(r)));
      const everything = (await getJson(app, "/v1/audit?limit=1000")).items.map((e) => e.id);
      assert.equal(everything.length, 300);

      for (const limit of [5, 64]) {
        assert.deepEqual(await allPages(app, "order=asc", limit), everything, `asc, limit ${limit}`);
        assert.deepEqual(
          await allPages(app, "order=desc", limit),
          [...everything].reverse(),
          `desc, limit ${limit}`,
        );
      }
      const deletes = seeded.filter((r) => r.verb === "delete").map((r) => r.id);
      const pagedDeletes = await allPages(app, "verb=delete", 5);
      assert.deepEqual([...pagedDeletes].sort(), [...deletes].sort());
      assert.equal(new Set(pagedDeletes).size, pagedDeletes.length);

      // Records written between pages are read exactly once, on a later page.
      const arriving: string[] = [];
      const seen = await allPages(app, "order=asc", 11, async () => {
        if (arriving.length >= 40) return;
        const burst = Array.from({ length: 4 }, () => requestRecord());
        await Promise.all(burst.map((r) => app.audit.writer.append(r)));
        arriving.push(...burst.map((r) => r.id));
      });
      assert.equal(new Set(seen).size, seen.length, "no repeats");
      assert.deepEqual([...seen].sort(), [...everything, ...arriving].sort(), "no gaps");
    } finally {
      await app.close();
    }
  });

  it("exports each shard exactly once and in order across a restart", async () => {
    const keyPrefix = freshPrefix();
    const delivered: AuditEntry[] = [];
    const exportSink = {
      kind: "memory",
      deliver: async (entries: readonly AuditEntry[]) => void delivered.push(...entries),
    };
    const config = auditConfig({ shards: SHARDS, export: { kind: "stdout" } });
    const keys = auditKeys(keyPrefix, SHARDS);
    const written: string[] = [];
    const appendSome = async (app: AuditApp, n: number) => {
      const records = Array.from({ length: n }, () => requestRecord());
      for (let i = 0; i < n; i += 10)
        await Promise.all(records.slice(i, i + 10).map((r) => app.audit.writer.append(r)));
      written.push(...records.map((r) => r.id));
    };

    const first = await startAuditApp(redis, config, { keyPrefix, exportSink });
    await appendSome(first, 90);
    // Stopped once its last batch is acknowledged (a stop between delivering and acking
    // would deliver that batch again: at least once is all a crash can promise).
    await waitFor(() => delivered.length >= 90);
    await waitFor(async () => (await pendingCounts()).every((n) => n === 0));
    await first.close();
    // Written while no exporter runs; delivered by the next one, from each shard's position.
    const writerOnly = await startAuditApp(redis, auditConfig({ shards: SHARDS }), { keyPrefix });
    await appendSome(writerOnly, 60);
    await writerOnly.close();
    const second = await startAuditApp(redis, config, { keyPrefix, exportSink });
    try {
      await appendSome(second, 30);
      await waitFor(() => delivered.length >= 180);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const ids = delivered.map((e) => e.id);
      assert.equal(ids.length, 180, "nothing twice");
      assert.deepEqual([...ids].sort(), [...written].sort(), "nothing missing");
      for (const shard of keys.shards) {
        const inStream = (await readStream(redis.client(), shard.log)).map((e) => e.streamId);
        const exported = delivered.filter(
          (e) => inStream.includes(e.streamId) && shardOfEntry(e) === shard.log,
        );
        assert.deepEqual(
          exported.map((e) => e.streamId),
          inStream,
          `${shard.log} in stream order`,
        );
      }
      await waitFor(async () => (await pendingCounts()).every((n) => n === 0));
    } finally {
      await second.close();
    }

    function pendingCounts(): Promise<number[]> {
      return Promise.all(
        keys.shards.map(async (shard) => {
          const summary = (await redis.client().call("xpending", shard.log, "kb-export")) as [number];
          return Number(summary[0]);
        }),
      );
    }

    function shardOfEntry(entry: AuditEntry): string {
      return keys.shards[shardOf({ type: entry.type as "request", id: entry.id }, SHARDS)]!.log;
    }
  });

  it("trims every shard to maxAge", async () => {
    const keyPrefix = freshPrefix();
    const keys = auditKeys(keyPrefix, SHARDS);
    const client = redis.client();
    const old = Date.now() - 40 * DAY_MS;
    for (const shard of keys.shards) {
      for (let i = 0; i < 300; i++)
        await client.xadd(shard.log, `${old + i}-0`, "type", "request", "id", `old-${i}`);
      await client.xadd(shard.log, "*", "type", "request", "id", "fresh");
    }
    const retention = new AuditRetention({
      redis: client,
      keys,
      maxAgeSeconds: 30 * 86400,
      clock: systemClock,
      logger: silentLogger(),
      holder: "solo",
    });
    try {
      assert.ok((await retention.trimOnce()) >= 3 * 200, "old entries went from every shard");
      for (const shard of keys.shards) {
        const kept = (await readStream(client, shard.log)).map((e) => e.id);
        assert.equal(kept.at(-1), "fresh", shard.log);
        assert.ok(kept.filter((id) => id.startsWith("old-")).length < 100, shard.log);
      }
    } finally {
      await retention.stop();
    }
  });
});
