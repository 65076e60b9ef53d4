import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type { Principal } from "../../../src/shared/principal.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { FakeClusterApi } from "../../support/fakes/fake-cluster-api.ts";
import { testConfig } from "../../support/fakes/test-config.ts";
import { grantsFeature } from "../../support/grants.ts";

/** A context without -n: the grant follows the namespaces the person's standing rules allow. */
describe("grants that follow namespace patterns", () => {
  const dev: Principal = {
    kind: "user",
    subject: "sub-dev",
    name: "dev@example.com",
    groups: ["developers"],
  };
  const config = testConfig({
    policies: {
      standing: [
        { subjects: { groups: ["developers"] }, roles: ["view"], namespaces: ["team-*"], maxTtl: "2h" },
        { subjects: { groups: ["developers"] }, roles: ["view"], namespaces: ["payments"], maxTtl: "1h" },
      ],
    },
  });
  const everywhere = { cluster: "test", role: "view", namespaces: [] };
  let redis: RedisHarness;
  let api: FakeClusterApi;
  let feature: ReturnType<typeof grantsFeature>;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.close());
  beforeEach(async () => {
    await redis.clear();
    api = new FakeClusterApi();
    feature = grantsFeature(config, redis, { api });
  });

  const bindings = () =>
    [...api.objects.values()]
      .filter((o) => o.kind === "RoleBinding")
      .map((o) => o.namespace)
      .sort();

  it("binds every namespace the standing rules allow, for the shortest of their TTLs", async () => {
    const { grant } = await feature.access.credential(dev, everywhere);
    assert.deepEqual(grant.namespacePatterns, ["payments", "team-*"]);
    assert.deepEqual(grant.namespaces, ["payments", "team-a", "team-b"]);
    assert.deepEqual(bindings(), ["payments", "team-a", "team-b"]);
    assert.equal(grant.expiresAt - grant.createdAt, 3600_000, "the 1h rule bounds the whole grant");
    const again = await feature.access.credential(dev, everywhere);
    assert.equal(again.grant.id, grant.id, "the same grant serves the next ask");
    const one = await feature.access.credential(dev, {
      cluster: "test",
      role: "view",
      namespaces: ["team-b"],
    });
    assert.equal(one.grant.id, grant.id, "and an ask for one of its namespaces");
  });

  it("follows namespaces created and deleted while it lasts, recording each change", async () => {
    const { grant } = await feature.access.credential(dev, everywhere);
    api.namespaces.add("team-c");
    api.namespaces.add("other");
    api.namespaces.delete("team-b");
    api.objects.delete(`RoleBinding/team-b/${grant.serviceAccount.name}`);
    assert.equal(await feature.namespaceSync.runOnce(), 1);
    const synced = (await feature.store.get(grant.id))!;
    assert.deepEqual(synced.namespaces, ["payments", "team-a", "team-c"]);
    assert.deepEqual(bindings(), ["payments", "team-a", "team-c"]);
    const [updated] = feature.lifecycle.named("grant.updated");
    assert.equal(updated?.detail, "namespaces +team-c -team-b");
    assert.equal(await feature.namespaceSync.runOnce(), 0, "nothing more to do");
    assert.deepEqual(
      await feature.reconciler.runOnce(),
      { deletedObjects: 0, endedGrants: 0 },
      "not orphaned",
    );
  });

  it("refuses when no standing rule covers the role anywhere, saying to name namespaces", async () => {
    await assert.rejects(
      feature.access.credential(dev, { cluster: "test", role: "edit", namespaces: [] }),
      (err: Error & { code: number }) =>
        err.code === 403 &&
        /in any namespace of cluster "test" without approval; name the namespaces with -n/.test(err.message),
    );
    assert.equal(api.objects.size, 0);
  });

  it("refuses patterns that match more namespaces than a grant holds, creating nothing", async () => {
    for (let i = 0; i < 210; i++) api.namespaces.add(`team-${i}`);
    await assert.rejects(
      feature.access.credential(dev, everywhere),
      /payments, team-\* match 213 namespaces, more than the 200 one grant holds; name the namespaces you need with -n/,
    );
    assert.equal(api.objects.size, 0);
  });
});
