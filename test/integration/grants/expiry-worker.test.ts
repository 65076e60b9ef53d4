import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type { ClusterApi } from "../../../src/grants/cluster-api.ts";
import type { Grant } from "../../../src/grants/grant.ts";
import type { GrantService } from "../../../src/grants/grant-service.ts";
import type { GrantStore } from "../../../src/grants/grant-store.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { FakeClusterApi } from "../../support/fakes/fake-cluster-api.ts";
import { RecordingLifecycle } from "../../support/fakes/recording-lifecycle.ts";
import { testConfig } from "../../support/fakes/test-config.ts";
import { grantsFeature, moveDeadline } from "../../support/grants.ts";

/** One broker replica over a shared cluster: its own service and expiry worker. */
const replica = (redis: RedisHarness, api: ClusterApi, lifecycle: RecordingLifecycle) =>
  grantsFeature(testConfig(), redis, { api, lifecycle });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntilEnded(store: GrantStore, ids: string[], timeoutMs: number): Promise<Grant[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const grants = await Promise.all(ids.map((id) => store.get(id)));
    if (grants.every((g) => g?.state === "ended") || Date.now() > deadline) return grants as Grant[];
    await sleep(50);
  }
}

describe("ExpiryWorker", () => {
  let redis: RedisHarness;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.close());
  beforeEach(async () => {
    await redis.client().flushdb();
  });

  async function createShortGrants(
    { grants, store }: { grants: GrantService; store: GrantStore },
    count: number,
  ): Promise<Grant[]> {
    const created = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        grants.create({
          principal: { kind: "user", subject: `u${i}`, name: `user${i}@example.com`, groups: [] },
          cluster: "test",
          role: "view",
          namespaces: ["team-a"],
          ttlSeconds: 60,
          origin: "standing",
          reason: "",
        }),
      ),
    );
    // Pull every deadline to ~1 s from now (the minimum TTL is a minute).
    const soon = Date.now() + 1000;
    return Promise.all(created.map((g) => moveDeadline(store, g, soon)));
  }

  it("two replicas end each expiring grant exactly once, within 2 s of its deadline", async () => {
    const api = new FakeClusterApi();
    const lifecycle = new RecordingLifecycle();
    const a = replica(redis, api, lifecycle);
    const b = replica(redis, api, lifecycle);
    const grants = await createShortGrants(a, 20);
    a.expiry.start();
    b.expiry.start();
    try {
      const ended = await waitUntilEnded(
        a.store,
        grants.map((g) => g.id),
        5000,
      );
      for (const g of ended) {
        assert.equal(g.state, "ended");
        assert.equal(g.endReason, "expired");
        assert.ok(g.endedAt! - g.expiresAt < 2000, `ended ${g.endedAt! - g.expiresAt} ms late`);
      }
      assert.equal(lifecycle.named("grant.ended").length, 20, "each grant ended once");
      assert.equal(api.objects.size, 0, "every object deleted");
    } finally {
      await a.expiry.stop();
      await b.expiry.stop();
    }
  });

  it("a replica that dies mid-way leaves its work to another, still on time", async () => {
    const api = new FakeClusterApi();
    const lifecycle = new RecordingLifecycle();
    // Replica A hangs forever deleting, as if its process froze after taking the grant.
    const hanging: ClusterApi = Object.assign(Object.create(api), {
      deleteRoleBinding: () => new Promise<void>(() => {}),
      deleteServiceAccount: () => new Promise<void>(() => {}),
    });
    const a = replica(redis, hanging, lifecycle);
    const b = replica(redis, api, lifecycle);
    const grants = await createShortGrants(b, 5);
    const deadline = grants[0]!.expiresAt;
    a.expiry.start();
    // A takes the grants first; B starts only after A has taken them.
    await sleep(deadline - Date.now() + 100);
    b.expiry.start();
    try {
      const ended = await waitUntilEnded(
        b.store,
        grants.map((g) => g.id),
        5000,
      );
      for (const g of ended) {
        assert.equal(g.state, "ended");
        assert.ok(g.endedAt! - g.expiresAt < 2000, `ended ${g.endedAt! - g.expiresAt} ms late`);
      }
      assert.equal(api.objects.size, 0);
      assert.equal(lifecycle.named("grant.ended").length, 5);
    } finally {
      void a.expiry.stop();
      await b.expiry.stop();
    }
  });
});
