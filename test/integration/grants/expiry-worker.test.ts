import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type { ClusterApi } from "../../../src/grants/cluster-api.ts";
import { ExpiryWorker } from "../../../src/grants/expiry-worker.ts";
import type { Grant } from "../../../src/grants/grant.ts";
import type { GrantService } from "../../../src/grants/grant-service.ts";
import type { GrantStore } from "../../../src/grants/grant-store.ts";
import { silentLogger } from "../../../src/shared/logger.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { FakeClusterApi } from "../../support/fakes/fake-cluster-api.ts";
import { JumpClock } from "../../support/fakes/jump-clock.ts";
import { RecordingLifecycle } from "../../support/fakes/recording-lifecycle.ts";
import { testConfig } from "../../support/fakes/test-config.ts";
import { grantsFeature } from "../../support/grants.ts";

/** One broker replica over a shared cluster and clock: its own service and expiry worker. */
const replica = (redis: RedisHarness, api: ClusterApi, lifecycle: RecordingLifecycle, clock: JumpClock) =>
  grantsFeature(testConfig(), redis, { api, lifecycle, clock });

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
    await redis.clear();
  });

  /** Grants of the shortest TTL (a minute), with the clock then moved to a second before their end. */
  async function createShortGrants(
    { grants }: { grants: GrantService },
    clock: JumpClock,
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
    clock.jumpTo(Math.min(...created.map((g) => g.expiresAt)), 1000);
    return created;
  }

  it("two replicas end each expiring grant exactly once, within 2 s of its deadline", async () => {
    const api = new FakeClusterApi();
    const lifecycle = new RecordingLifecycle();
    const clock = new JumpClock();
    const a = replica(redis, api, lifecycle, clock);
    const b = replica(redis, api, lifecycle, clock);
    const grants = await createShortGrants(a, clock, 20);
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
    const clock = new JumpClock();
    const a = replica(redis, hanging, lifecycle, clock);
    const b = replica(redis, api, lifecycle, clock);
    const grants = await createShortGrants(b, clock, 5);
    const deadline = Math.max(...grants.map((g) => g.expiresAt));
    a.expiry.start();
    // A takes the grants first; B starts only after A has taken them.
    await sleep(deadline - clock.now() + 100);
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

  it("an end that hangs forever does not stop the worker ending other grants, nor retrying it", async () => {
    const api = new FakeClusterApi();
    const lifecycle = new RecordingLifecycle();
    const clock = new JumpClock();
    const feature = replica(redis, api, lifecycle, clock);
    const grants = await createShortGrants(feature, clock, 3);
    // The first end of the first grant never settles, as a call with no timeout would.
    let hung = false;
    const ending: GrantService = Object.assign(Object.create(feature.grants), {
      end: (grant: Grant, ...rest: unknown[]) => {
        if (grant.id === grants[0]!.id && !hung) {
          hung = true;
          return new Promise<never>(() => {});
        }
        return (feature.grants.end as (...args: unknown[]) => Promise<unknown>)(grant, ...rest);
      },
    });
    const worker = new ExpiryWorker({
      store: feature.store,
      grants: ending,
      clock,
      logger: silentLogger(),
      hungAfterMs: 300,
    });
    worker.start();
    try {
      const ended = await waitUntilEnded(
        feature.store,
        grants.map((g) => g.id),
        5000,
      );
      assert.ok(hung, "the first grant's end hung");
      assert.deepEqual(
        ended.map((g) => g.state),
        ["ended", "ended", "ended"],
        "every grant ended, the hung one on a later pass",
      );
    } finally {
      void worker.stop();
    }
  });
});
