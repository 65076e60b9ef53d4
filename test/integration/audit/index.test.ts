import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { indexMember, streamIdOf } from "../../../src/audit/audit-index.ts";
import { auditKeys } from "../../../src/audit/audit-keys.ts";
import { trimIndexes } from "../../../src/audit/audit-retention.ts";
import type { AuditRecord } from "../../../src/audit/record.ts";
import type { AuditEntry } from "../../../src/audit/record-fields.ts";
import { toStreamFields } from "../../../src/audit/record-fields.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { auditConfig, lifecycleRecord, readStream, requestRecord } from "../../support/audit-fixtures.ts";
import { ADMIN, type AuditApp, startAuditApp } from "./app.ts";

const SHARDS = 3;
type Page = { items: AuditEntry[]; nextCursor: string | null };

/**
 * The audit indexes against the plain truth: every query an index answers returns exactly
 * what filtering every record of every shard returns, in order and across pages, and stays
 * so as records are trimmed by length and by age.
 */
describe("audit search through the indexes (3 shards)", () => {
  let redis: RedisHarness;
  let prefixes = 0;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.close());

  const freshPrefix = () => `kbindex${++prefixes}:`;

  async function pages(app: AuditApp, query: string, limit: number): Promise<AuditEntry[]> {
    const seen: AuditEntry[] = [];
    let cursor: string | null = null;
    do {
      const res = await fetch(
        `${app.url}/v1/audit?${query}&limit=${limit}${cursor ? `&after=${encodeURIComponent(cursor)}` : ""}`,
        { headers: app.headers(ADMIN) },
      );
      assert.equal(res.status, 200, query);
      const page = (await res.json()) as Page;
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return seen;
  }

  /** Every record of every shard, oldest first (ties by shard, as the merge orders them). */
  async function everything(keyPrefix: string): Promise<AuditEntry[]> {
    const perShard = await Promise.all(
      auditKeys(keyPrefix, SHARDS).shards.map((s) => readStream(redis.client(), s.log)),
    );
    return perShard
      .flatMap((entries, shard) => entries.map((entry) => ({ entry, shard })))
      .sort((a, b) => compareIds(a.entry.streamId, b.entry.streamId) || a.shard - b.shard)
      .map(({ entry }) => entry);
  }

  const people = ["ana@example.com", "bo@example.com", "cy@example.com"];
  const records = (n: number): AuditRecord[] =>
    Array.from({ length: n }, (_, i) => {
      const user = i % 10 === 0 ? "rare@example.com" : people[i % people.length]!;
      const namespace = i % 4 === 0 ? "team-b" : "team-a";
      return i % 7 === 0
        ? lifecycleRecord({ user, namespace, grant: `g-${i % 5}` })
        : requestRecord({
            user,
            namespace,
            grant: `g-${i % 5}`,
            resource: i % 3 === 0 ? "secrets" : "pods",
            decision: i % 11 === 0 ? "denied-by-broker" : "allowed",
            phase: i % 2 === 0 ? "start" : "end",
          });
    });

  /** Each query, and what it asks of a record (read as its plain fields). */
  const QUERIES: [string, (e: Record<string, string>) => boolean][] = [
    ["user=rare%40example.com", (e) => e.user === "rare@example.com"],
    ["grant=g-3", (e) => e.grant === "g-3"],
    ["cluster=prod&namespace=team-b", (e) => e.cluster === "prod" && e.namespace === "team-b"],
    ["decision=denied-by-broker", (e) => e.decision === "denied-by-broker"],
    ["resource=secrets&phase=end", (e) => e.resource === "secrets" && e.phase === "end"],
    ["user=bo%40example.com&resource=pods", (e) => e.user === "bo@example.com" && e.resource === "pods"],
  ];

  it("answers each indexed filter exactly as a scan would, newest or oldest first, page by page", async () => {
    const keyPrefix = freshPrefix();
    const app = await startAuditApp(redis, auditConfig({ shards: SHARDS }), { keyPrefix });
    try {
      for (const record of records(300)) await app.audit.writer.append(record);
      const all = await everything(keyPrefix);
      assert.equal(all.length, 300);
      for (const [query, wanted] of QUERIES) {
        const expected = all
          .filter((e) => wanted(e as unknown as Record<string, string>))
          .map((e) => e.streamId);
        assert.ok(expected.length > 0, query);
        const asc = await pages(app, `${query}&order=asc`, 7);
        assert.deepEqual(
          asc.map((e) => e.streamId),
          expected,
          `${query} asc`,
        );
        const desc = await pages(app, `${query}&order=desc`, 5);
        assert.deepEqual(
          desc.map((e) => e.streamId),
          [...expected].reverse(),
          `${query} desc`,
        );
      }
      // A time range through an index: the middle third of the records.
      const middle = all.slice(100, 200);
      const since = Number(middle[0]!.streamId.split("-")[0]);
      const until = Number(middle.at(-1)!.streamId.split("-")[0]);
      const inRange = all.filter((e) => {
        const ms = Number(e.streamId.split("-")[0]);
        return ms >= since && ms <= until && e.grant === "g-1";
      });
      const ranged = await pages(
        app,
        `grant=g-1&since=${new Date(since).toISOString()}&until=${new Date(until).toISOString()}&order=asc`,
        4,
      );
      assert.deepEqual(
        ranged.map((e) => e.streamId),
        inRange.map((e) => e.streamId),
      );
    } finally {
      await app.close();
    }
  });

  it("keeps each index to what the stream holds when length trimming drops records", async () => {
    const keyPrefix = freshPrefix();
    const app = await startAuditApp(
      redis,
      auditConfig({ shards: SHARDS, retention: { maxAge: 30 * 86400, maxLength: 40 } }),
      { keyPrefix },
    );
    try {
      for (const record of records(600)) await app.audit.writer.append(record);
      const all = await everything(keyPrefix);
      assert.ok(all.length < 600, "records were trimmed");
      for (const [query, wanted] of QUERIES) {
        const expected = all
          .filter((e) => wanted(e as unknown as Record<string, string>))
          .map((e) => e.streamId);
        assert.deepEqual(
          (await pages(app, `${query}&order=asc`, 50)).map((e) => e.streamId),
          expected,
          query,
        );
      }
      // The retention pass trims each index to its shard's oldest record.
      const keys = auditKeys(keyPrefix, SHARDS);
      for (const shard of keys.shards) {
        await trimIndexes(redis.client(), shard);
        const oldest = (await readStream(redis.client(), shard.log))[0]!.streamId;
        const members = await redis.client().zrange(shard.index("user", "ana@example.com"), "0", "0");
        if (members[0])
          assert.ok(compareIds(streamIdOf(members[0]), oldest) >= 0, `${members[0]} vs ${oldest}`);
      }
    } finally {
      await app.close();
    }
  });

  it("returns nothing retention by age removed, and the retention pass then drops the indexes", async () => {
    const keyPrefix = freshPrefix();
    const app = await startAuditApp(redis, auditConfig({ shards: SHARDS }), { keyPrefix });
    try {
      for (const record of records(60)) await app.audit.writer.append(record);
      const keys = auditKeys(keyPrefix, SHARDS);
      const rareIndex = keys.shards[0]!.index("user", "rare@example.com");
      assert.ok((await redis.client().zcard(rareIndex)) > 0);
      // Age retention trims every record (exactly, where the broker's XTRIM MINID ~ may keep
      // a few until a later pass): the index, not trimmed yet, must not bring them back.
      for (const shard of keys.shards)
        await redis.client().xtrim(shard.log, "MINID", `${Date.now() + 1000}-0`);
      assert.deepEqual(await pages(app, "user=rare%40example.com", 10), []);
      for (const shard of keys.shards) await trimIndexes(redis.client(), shard);
      assert.equal(await redis.client().exists(rareIndex), 0);
      for (const shard of keys.shards)
        assert.equal(await redis.client().scard(shard.indexes), 0, "no index left to walk");
    } finally {
      await app.close();
    }
  });

  it("scans a shard that still holds records from before indexing, so none is missed", async () => {
    const keyPrefix = freshPrefix();
    const keys = auditKeys(keyPrefix, SHARDS);
    // An older version's records: in the stream, in no index.
    const old = requestRecord({ user: "rare@example.com" });
    await redis.client().xadd(keys.shards[0]!.log, "*", ...toStreamFields(old));
    const app = await startAuditApp(redis, auditConfig({ shards: SHARDS }), { keyPrefix });
    try {
      for (const record of records(30)) await app.audit.writer.append(record);
      const found = await pages(app, "user=rare%40example.com&order=asc", 10);
      assert.equal(found[0]?.id, old.id, "the unindexed record is found");
      const all = await everything(keyPrefix);
      assert.deepEqual(
        found.map((e) => e.streamId),
        all.filter((e) => e.user === "rare@example.com").map((e) => e.streamId),
      );
    } finally {
      await app.close();
    }
  });

  it("orders members as stream IDs order, whatever the sequence's length", () => {
    const ids = ["1732900000000-0", "1732900000000-9", "1732900000000-10", "1732900000001-2", "999-5"];
    const sorted = [...ids].sort(compareIds);
    const byMember = [...ids].sort((a, b) => (indexMember(a)! < indexMember(b)! ? -1 : 1));
    assert.deepEqual(byMember, sorted);
    for (const id of ids) assert.equal(streamIdOf(indexMember(id)!), id);
    assert.equal(indexMember("1732900000000-1234567890"), undefined);
  });
});

function compareIds(a: string, b: string): number {
  const [am, as] = a.split("-").map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split("-").map(BigInt) as [bigint, bigint];
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}
