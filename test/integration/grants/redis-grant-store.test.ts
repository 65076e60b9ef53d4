import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Redis } from "ioredis";
import type { Grant } from "../../../src/grants/grant.ts";
import { GrantExists } from "../../../src/grants/grant-store.ts";
import { RedisGrantStore } from "../../../src/grants/redis-grant-store.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { grantFixture } from "../../support/fakes/grant-fixture.ts";

/** A grant being provisioned (the state a store first holds), with small times. */
function grant(id: string, overrides: Partial<Grant> = {}): Grant {
  return grantFixture(id, {
    version: 1,
    createdAt: 1000,
    expiresAt: 5000,
    state: "pending-provision",
    serviceAccount: { namespace: "kube-broker-grants", name: `kb-dev-${id}` },
    ...overrides,
  });
}

describe("RedisGrantStore", () => {
  let redis: RedisHarness;
  let client: Redis;
  let store: RedisGrantStore;

  before(async () => {
    redis = await startRedis();
    client = redis.client();
    store = new RedisGrantStore({ redis: client, keyPrefix: redis.keyPrefix });
  });
  after(() => redis.close());

  it("creates a grant once and finds it by id, ServiceAccount and principal", async () => {
    const g = grant("g1");
    await store.create(g);
    await assert.rejects(store.create(g), GrantExists);
    await assert.rejects(store.create(grant("g1-other", { serviceAccount: g.serviceAccount })), GrantExists);
    assert.deepEqual(await store.get("g1"), g);
    assert.equal((await store.findByServiceAccount("test", g.serviceAccount.name))?.id, "g1");
    assert.equal(await store.findByServiceAccount("other-cluster", g.serviceAccount.name), undefined);
    assert.deepEqual(
      (await store.listByPrincipal("sub-dev")).map((x) => x.id),
      ["g1"],
    );
  });

  it("updates only with the next version (compare-and-set)", async () => {
    const g = grant("g2");
    await store.create(g);
    assert.equal(await store.compareAndSet({ ...g, version: 3, state: "active" }), false);
    assert.equal(await store.compareAndSet({ ...g, version: 2, state: "active" }), true);
    assert.equal(
      await store.compareAndSet({ ...g, version: 2, state: "ended" }),
      false,
      "stale writer loses",
    );
    assert.equal((await store.get("g2"))?.state, "active");
  });

  it("indexes open grants by deadline and drops ended ones, announcing the end", async () => {
    const ended: string[] = [];
    const unsubscribe = await store.subscribeEnded((id) => ended.push(id));
    const soon = grant("g3", { expiresAt: 100 });
    await store.create(soon);
    assert.ok((await store.dueBefore(150, 10)).includes("g3"));
    assert.equal(await store.nextDeadline(), 100);
    assert.ok(await store.compareAndSet({ ...soon, version: 2, state: "ended", endReason: "expired" }));
    assert.ok(!(await store.dueBefore(150, 10)).includes("g3"));
    assert.ok(!(await store.listOpen()).some((g) => g.id === "g3"));
    assert.equal((await store.get("g3"))?.state, "ended", "ended grants are kept for a while");
    const ttl = await client.ttl(`${redis.keyPrefix}{grants}:grant:g3`);
    assert.ok(ttl > 0 && ttl <= 7 * 86400);
    for (let i = 0; i < 50 && ended.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(ended, ["g3"]);
    await unsubscribe();
  });

  it("keeps every key under the prefix and the {grants} hash tag", async () => {
    const keys = await client.keys(`${redis.keyPrefix}*`);
    assert.ok(keys.length > 0);
    for (const key of keys) assert.ok(key.startsWith(`${redis.keyPrefix}{grants}:`), key);
  });

  it("locks a grant for one holder at a time", async () => {
    assert.equal(await store.tryLock("g9", "a", 1000), true);
    assert.equal(await store.tryLock("g9", "b", 1000), false);
    await store.unlock("g9", "b");
    assert.equal(await store.tryLock("g9", "b", 1000), false, "only the holder unlocks");
    await store.unlock("g9", "a");
    assert.equal(await store.tryLock("g9", "b", 1000), true);
  });
});
