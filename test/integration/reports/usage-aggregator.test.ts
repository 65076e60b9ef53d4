import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { auditKeys } from "../../../src/audit/audit-keys.ts";
import type { LifecycleAuditRecord } from "../../../src/audit/record.ts";
import { UsageAggregator } from "../../../src/reports/usage/usage-aggregator.ts";
import { USAGE_GROUP, usageKeys } from "../../../src/reports/usage/usage-keys.ts";
import { UsageStore } from "../../../src/reports/usage/usage-store.ts";
import { systemClock } from "../../../src/shared/clock.ts";
import { silentLogger } from "../../../src/shared/logger.ts";
import { dedicatedConnection } from "../../../src/shared/redis.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { auditConfig, requestRecord, startWriter, waitFor } from "../../support/audit-fixtures.ts";

const DAY = 86_400_000;
const SHARDS = 3;
const RETENTION = 90 * 86400;

/** The usage aggregator against a real Redis: exactly once per record, per shard, per day. */
describe("usage aggregator", () => {
  let redis: RedisHarness;
  let prefixes = 0;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.close());

  async function setup() {
    const keyPrefix = `kbusage${++prefixes}:`;
    const harness = { ...redis, keyPrefix };
    const writer = await startWriter(harness, auditConfig({ shards: SHARDS }));
    const logs = auditKeys(keyPrefix, SHARDS).shards.map((s) => s.log);
    const keys = usageKeys(keyPrefix, SHARDS);
    const client = redis.client();
    const store = new UsageStore({ redis: client, keys });
    const running: UsageAggregator[] = [];
    const start = (holder: string, batch = 7) => {
      const workers = logs.map(
        (log, shard) =>
          new UsageAggregator({
            redis: client,
            connection: dedicatedConnection(client),
            log,
            keys: keys[shard]!,
            holder,
            clock: systemClock,
            logger: silentLogger(),
            retentionSeconds: RETENTION,
            leaseTtlMs: 600,
            batch,
            blockMs: 100,
          }),
      );
      for (const w of workers) w.start();
      running.push(...workers);
      return { stop: () => Promise.all(workers.map((w) => w.stop())) };
    };
    const total = async () =>
      (await store.usage(Date.now() - 100 * DAY, Date.now())).reduce((sum, row) => sum + row.counts.count, 0);
    /** Appends `count` requests (a start and an end record each) now. */
    const traffic = async (count: number, overrides = {}) => {
      for (let i = 0; i < count; i++) {
        const end = requestRecord(overrides);
        await writer.writer.append({ ...end, phase: "start" });
        await writer.writer.append(end);
      }
    };
    const close = async () => {
      await Promise.all(running.map((w) => w.stop()));
      await writer.stop();
      client.disconnect();
    };
    return { keyPrefix, logs, keys, client, store, start, total, traffic, close, writer };
  }

  it("counts each request once across 3 shards, through a crash, a restart and redelivery", async () => {
    const s = await setup();
    try {
      await s.traffic(60);
      const first = s.start("replica-a");
      await waitFor(async () => (await s.total()) > 10);
      // A crash: the worker stops mid-stream, holding what it read but had not acknowledged.
      await first.stop();
      await s.traffic(40);
      const second = s.start("replica-b", 13);
      await waitFor(async () => (await s.total()) >= 100);
      await second.stop();
      assert.equal(await s.total(), 100);

      // Redelivery of everything, part of it to a consumer that dies before acknowledging:
      // a restarted worker claims those and reads its own again; nothing counts twice.
      for (const log of s.logs) {
        await s.client.call("xgroup", "SETID", log, USAGE_GROUP, "0");
        await s.client.call("xreadgroup", "GROUP", USAGE_GROUP, "dead", "COUNT", "5", "STREAMS", log, ">");
      }
      const third = s.start("replica-c", 11);
      await waitFor(async () => {
        const pending = await Promise.all(
          s.logs.map((log) => s.client.call("xpending", log, USAGE_GROUP) as Promise<[number]>),
        );
        return pending.every(([count]) => Number(count) === 0);
      });
      await s.traffic(5);
      await waitFor(async () => (await s.total()) >= 105);
      await third.stop();
      assert.equal(await s.total(), 105);

      // Each shard's mark is its stream's last entry: every shard was read, to its end.
      for (const [shard, log] of s.logs.entries()) {
        const [lastId] = (await s.client.xrevrange(log, "+", "-", "COUNT", 1))[0]!;
        assert.equal(await s.client.get(s.keys[shard]!.applied), lastId);
      }
    } finally {
      await s.close();
    }
  });

  it("keeps a bucket per UTC day that expires after the retention, and skips days already past it", async () => {
    const s = await setup();
    try {
      const now = Date.now();
      await s.traffic(3, { ts: new Date(now).toISOString(), verb: "list", resource: "pods" });
      await s.traffic(2, {
        ts: new Date(now - 2 * DAY).toISOString(),
        verb: "get",
        resource: "secrets",
        name: "db",
      });
      await s.traffic(4, { ts: new Date(now - 100 * DAY).toISOString(), verb: "delete", resource: "pods" });
      s.start("replica-a");
      await waitFor(async () => (await s.total()) >= 5);
      await waitFor(async () => {
        const marks = await Promise.all(s.keys.map((k) => s.client.get(k.applied)));
        return marks.filter(Boolean).length === SHARDS;
      });
      const today = new Date(now).toISOString().slice(0, 10);
      const twoDaysAgo = new Date(now - 2 * DAY).toISOString().slice(0, 10);
      const old = new Date(now - 100 * DAY).toISOString().slice(0, 10);
      const daysWith = async (day: string) =>
        (await Promise.all(s.keys.map((k) => s.client.exists(k.day(day))))).reduce((a, b) => a + b, 0);
      assert.ok((await daysWith(today)) > 0);
      assert.ok((await daysWith(twoDaysAgo)) > 0);
      assert.equal(await daysWith(old), 0, "a day past the retention is never written");
      for (const keys of s.keys) {
        if (!(await s.client.exists(keys.day(twoDaysAgo)))) continue;
        const expiresAt = Number(await s.client.call("expiretime", keys.day(twoDaysAgo)));
        const dayEnd = Date.parse(`${twoDaysAgo}T00:00:00Z`) / 1000 + 86400;
        assert.equal(expiresAt, dayEnd + RETENTION);
      }

      // A window reads whole days, but not what was last used before it began.
      const lastDay = await s.store.usage(now - 1 * DAY, now);
      assert.deepEqual(
        lastDay.map((row) => [row.permission.verb, row.permission.resource, row.counts.count]),
        [["list", "pods", 3]],
      );
      const week = await s.store.usage(now - 7 * DAY, now);
      const secrets = week.find((row) => row.permission.resource === "secrets")!;
      assert.equal(secrets.counts.count, 2);
      assert.deepEqual(secrets.counts.names, ["db"]);
    } finally {
      await s.close();
    }
  });

  it("records grants' owners and CI rules from lifecycle records", async () => {
    const s = await setup();
    try {
      const started: LifecycleAuditRecord = {
        type: "lifecycle",
        event: "grant.started",
        id: "ev-1",
        ts: new Date().toISOString(),
        cluster: "prod",
        user: "ci:repo:org/app",
        groups: "",
        grant: "g-ci",
        role: "deployer",
        serviceAccount: "kb-ci-g-ci",
        grantKind: "ci",
        namespace: "apps",
        detail: "CI rule deploy-main: repository=org/app ref=refs/heads/main",
        request: "",
      };
      await s.writer.writer.append(started);
      s.start("replica-a");
      await waitFor(async () => (await s.store.lifecycle(Date.now() - DAY, Date.now())).grants.size === 1);
      const facts = await s.store.lifecycle(Date.now() - DAY, Date.now());
      assert.deepEqual(
        { ...facts.grants.get("g-ci"), at: 0 },
        {
          user: "ci:repo:org/app",
          groups: [],
          cluster: "prod",
          role: "deployer",
          namespaces: ["apps"],
          origin: "ci",
          ciRule: "deploy-main",
          at: 0,
        },
      );
      assert.deepEqual(facts.people.get("ci:repo:org/app"), []);
    } finally {
      await s.close();
    }
  });
});
