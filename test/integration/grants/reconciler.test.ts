import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type { Redis } from "ioredis";
import { GRANT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../../../src/grants/grant.ts";
import type { GrantService } from "../../../src/grants/grant-service.ts";
import type { Reconciler } from "../../../src/grants/reconciler.ts";
import type { RedisGrantStore } from "../../../src/grants/redis-grant-store.ts";
import { Lease } from "../../../src/shared/lease.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { FakeClusterApi } from "../../support/fakes/fake-cluster-api.ts";
import { testConfig } from "../../support/fakes/test-config.ts";
import { grantsFeature } from "../../support/grants.ts";

describe("Reconciler", () => {
  let redis: RedisHarness;
  let client: Redis;
  let api: FakeClusterApi;
  let store: RedisGrantStore;
  let grants: GrantService;
  let reconciler: Reconciler;

  before(async () => {
    redis = await startRedis();
    client = redis.client();
  });
  after(() => redis.close());
  beforeEach(async () => {
    await redis.clear();
    const feature = grantsFeature(testConfig(), redis, { api: new FakeClusterApi() });
    api = feature.api as FakeClusterApi;
    store = feature.store;
    grants = feature.grants;
    reconciler = feature.reconciler;
  });

  const ask = {
    principal: { kind: "user" as const, subject: "s", name: "dev@example.com", groups: [] },
    cluster: "test",
    role: "view",
    namespaces: ["team-a"],
    ttlSeconds: 600,
    origin: "standing" as const,
    reason: "",
  };

  it("deletes a labelled ServiceAccount whose grant is unknown, and leaves live grants alone", async () => {
    const live = await grants.create(ask);
    const labels = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [GRANT_LABEL]: "ghost" };
    await api.createServiceAccount("kube-broker-grants", { name: "kb-ghost-x", labels, annotations: {} });
    await new Promise((r) => setTimeout(r, 5));
    const report = await reconciler.runOnce();
    assert.deepEqual(report, { deletedObjects: 1, endedGrants: 0 });
    assert.ok(![...api.objects.values()].some((o) => o.name === "kb-ghost-x"));
    assert.equal((await store.get(live.id))?.state, "active");
    assert.equal([...api.objects.values()].filter((o) => o.grantId === live.id).length, 2);
  });

  it("ends an active grant whose ServiceAccount was deleted by hand, and removes the rest", async () => {
    const grant = await grants.create(ask);
    await api.deleteServiceAccount(grant.serviceAccount);
    await new Promise((r) => setTimeout(r, 5));
    const report = await reconciler.runOnce();
    assert.equal(report.endedGrants, 1);
    const ended = await store.get(grant.id);
    assert.equal(ended?.endReason, "orphaned");
    assert.match(ended?.endDetail ?? "", /ServiceAccount kube-broker-grants\/kb-dev-/);
    assert.equal(api.objects.size, 0, "its remaining RoleBinding was deleted too");
  });

  it("deletes objects left by an ended grant", async () => {
    const grant = await grants.create(ask);
    api.failWith = (op) => (op === "delete" ? new Error("down") : undefined);
    await grants.revoke(grant.id, "admin");
    api.failWith = () => undefined;
    assert.equal(api.objects.size, 2);
    const report = await reconciler.runOnce();
    assert.equal(report.deletedObjects, 2);
    assert.equal(api.objects.size, 0);
  });

  it("ends a grant left pending by a crashed replica once it is clearly abandoned", async () => {
    const stuck = {
      ...(await grants.create(ask)),
      id: "stuck1",
      version: 1,
      state: "pending-provision" as const,
      createdAt: Date.now() - 10 * 60_000,
      serviceAccount: { namespace: "kube-broker-grants", name: "kb-dev-stuck1" },
    };
    await store.create(stuck);
    const report = await reconciler.runOnce();
    assert.equal(report.endedGrants, 1);
    assert.equal((await store.get("stuck1"))?.endReason, "provision-failed");
  });

  it("only the lease holder reconciles", async () => {
    const other = new Lease({
      redis: client,
      key: `${redis.keyPrefix}{grants}:reconcile-lease`,
      ttlMs: 30_000,
      holder: "r2",
    });
    assert.equal(await other.acquire(), true);
    const labels = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [GRANT_LABEL]: "ghost" };
    await api.createServiceAccount("kube-broker-grants", { name: "kb-ghost-y", labels, annotations: {} });
    reconciler.start();
    await new Promise((r) => setTimeout(r, 100));
    await reconciler.stop();
    assert.equal(api.objects.size, 1, "the non-holder did nothing");
    await other.release();
  });
});
