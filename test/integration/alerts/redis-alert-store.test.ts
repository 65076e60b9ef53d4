import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Redis } from "ioredis";
import { AlertEvaluator, type AlertStore, RedisAlertStore } from "../../../src/alerts/index.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { rule } from "../../support/alert-fixtures.ts";
import { requestRecord } from "../../support/audit-fixtures.ts";
import { alertStoreContract } from "../../support/fakes/fake-alert-store.ts";
import { ManualClock } from "../../support/fakes/manual-clock.ts";

describe("RedisAlertStore", () => {
  let redis: RedisHarness;
  let client: Redis;
  let prefixes = 0;
  // A key prefix per case: every case starts from an empty store.
  const freshStore = (): AlertStore =>
    new RedisAlertStore({ redis: client, keyPrefix: `${redis.keyPrefix}case${++prefixes}:` });

  before(async () => {
    redis = await startRedis();
    client = redis.client();
  });
  after(() => redis.close());

  for (const { name, run } of alertStoreContract) it(name, () => run(freshStore()));

  it("keeps one rule group's keys under one hash tag", async () => {
    const store = freshStore();
    await store.crossed({
      rule: "burst",
      group: "user\0{ann}",
      recordId: "r1",
      at: 1,
      windowMs: 1000,
      count: 2,
    });
    const keys = await client.keys(`${redis.keyPrefix}case${prefixes}:*`);
    assert.equal(keys.length, 2);
    const tags = keys.map((key) => /\{([^}]*)\}/.exec(key)?.[1]);
    assert.equal(tags[0], tags[1]);
    assert.match(tags[0]!, /^alerts:[A-Za-z0-9_-]+$/);
  });

  it("two evaluators sharing Redis fire a burst split between them once, and nothing when evaluating again", async () => {
    const keyPrefix = `${redis.keyPrefix}case${++prefixes}:`;
    const clock = new ManualClock(Date.parse("2026-03-02T10:00:00Z"));
    const rules = [
      rule({
        name: "burst",
        match: { decision: "denied-by-broker" },
        threshold: { count: 20, window: "5m", groupBy: "user" },
      }),
      rule({ name: "new-ip", match: { type: "request" }, firstSeen: { of: "sourceIp", days: 30 } }),
    ];
    const replicas = [1, 2].map(
      () =>
        new AlertEvaluator({
          rules,
          store: new RedisAlertStore({ redis: client, keyPrefix }),
          clock,
        }),
    );
    const records = Array.from({ length: 50 }, (_, i) =>
      requestRecord({
        ts: new Date(clock.now() + i * 500).toISOString(),
        decision: "denied-by-broker",
        status: "403",
        sourceIp: "192.0.2.1",
      }),
    );
    // Both replicas at once, taking every other record, as consumers of one group would.
    const evaluate = (from: number) =>
      Promise.all(records.filter((_, i) => i % 2 === from).map((r) => replicas[from]!.evaluate(r)));
    const fired = (await Promise.all([evaluate(0), evaluate(1)])).flat(2);
    assert.deepEqual(fired.map((a) => a.rule).sort(), ["burst", "new-ip"]);
    // Every record again, on the other replica (the first died before acknowledging them).
    const again = (await Promise.all(records.map((r, i) => replicas[(i + 1) % 2]!.evaluate(r)))).flat();
    assert.deepEqual(again, []);
  });
});
