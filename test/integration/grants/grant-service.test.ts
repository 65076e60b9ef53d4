import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type { Redis } from "ioredis";
import type { CredentialIssuer } from "../../../src/grants/credential-issuer.ts";
import type { NewGrant } from "../../../src/grants/grant-request.ts";
import type { GrantService } from "../../../src/grants/grant-service.ts";
import { type BrokerError, Conflict } from "../../../src/shared/errors.ts";
import type { Principal } from "../../../src/shared/principal.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { FakeClusterApi } from "../../support/fakes/fake-cluster-api.ts";
import type { RecordingLifecycle } from "../../support/fakes/recording-lifecycle.ts";
import { testConfig } from "../../support/fakes/test-config.ts";
import { grantsFeature } from "../../support/grants.ts";

const dev: Principal = {
  kind: "user",
  subject: "sub-dev",
  name: "dev@example.com",
  email: "dev@example.com",
  groups: ["developers"],
};
const ask = (overrides: Partial<NewGrant> = {}): NewGrant => ({
  principal: dev,
  cluster: "test",
  role: "view",
  namespaces: ["team-a", "team-b"],
  ttlSeconds: 3600,
  origin: "standing",
  reason: "",
  ...overrides,
});

describe("GrantService", () => {
  let redis: RedisHarness;
  let client: Redis;
  let api: FakeClusterApi;
  let lifecycle: RecordingLifecycle;
  let grants: GrantService;
  let issuer: CredentialIssuer;

  before(async () => {
    redis = await startRedis();
    client = redis.client();
  });
  after(() => redis.close());
  beforeEach(async () => {
    await redis.clear();
    const config = testConfig({
      roles: [...testConfig().roles, { name: "deployer", role: "deployer", maxTtl: "1h" }],
    });
    const feature = grantsFeature(config, redis, { api: new FakeClusterApi() });
    api = feature.api as FakeClusterApi;
    lifecycle = feature.lifecycle;
    grants = feature.grants;
    issuer = feature.issuer;
  });

  it("provisions a ServiceAccount and one RoleBinding per namespace, labelled with the grant", async () => {
    const grant = await grants.create(ask());
    assert.equal(grant.state, "active");
    assert.ok(grant.serviceAccount.uid);
    const kinds = [...api.objects.values()].map((o) => `${o.kind}:${o.namespace}`).sort();
    assert.deepEqual(kinds, [
      "RoleBinding:team-a",
      "RoleBinding:team-b",
      "ServiceAccount:kube-broker-grants",
    ]);
    for (const object of api.objects.values()) assert.equal(object.grantId, grant.id);
    assert.equal(lifecycle.named("grant.started").length, 1);
  });

  it("binds cluster-wide roles with one ClusterRoleBinding", async () => {
    const grant = await grants.create(ask({ role: "cluster-reader", namespaces: [] }));
    assert.equal(grant.clusterWide, true);
    assert.deepEqual([...api.objects.values()].map((o) => o.kind).sort(), [
      "ClusterRoleBinding",
      "ServiceAccount",
    ]);
  });

  const refusals: [string, Partial<NewGrant>, number, RegExp][] = [
    ["an unknown cluster", { cluster: "nope" }, 422, /cluster "nope" is not configured/],
    ["an unknown role", { role: "god" }, 422, /role "god" is not configured/],
    ["a TTL over the role's max", { ttlSeconds: 9 * 3600 }, 422, /exceeds the maximum of 8h for role "view"/],
    [
      "a namespace that is not DNS-1123",
      { namespaces: ["Team_A"] },
      422,
      /namespace "Team_A" is not a valid name/,
    ],
    [
      "a too-long user name",
      { principal: { ...dev, name: "x".repeat(300) } },
      422,
      /user name is 300 characters/,
    ],
    ["namespaces for a cluster-wide role", { role: "cluster-reader" }, 422, /cluster-wide/],
    ["no namespace for a namespaced role", { namespaces: [] }, 422, /at least one namespace/],
  ];
  for (const [what, overrides, code, message] of refusals) {
    it(`refuses ${what} and creates nothing`, async () => {
      await assert.rejects(grants.create(ask(overrides)), (err: BrokerError) => {
        assert.equal(err.code, code);
        assert.match(err.message, message);
        return true;
      });
      assert.equal(api.objects.size, 0);
      assert.equal(api.calls.length, 0, "the cluster was not even asked");
      assert.deepEqual(await client.keys(`${redis.keyPrefix}*`), []);
    });
  }

  it("removes everything and ends the grant as provision-failed when a step fails half-way", async () => {
    api.failWith = (op, detail) =>
      op === "createRoleBinding" && detail.startsWith("team-b/")
        ? new Conflict("rolebindings boom")
        : undefined;
    await assert.rejects(grants.create(ask()), /rolebindings boom/);
    assert.equal(api.objects.size, 0, "the ServiceAccount and first binding were rolled back");
    const [ended] = await grants.listAll({ includeEnded: true });
    assert.equal(ended?.state, "ended");
    assert.equal(ended?.endReason, "provision-failed");
    assert.match(ended?.endDetail ?? "", /rolebindings boom/);
    assert.equal(lifecycle.named("grant.started").length, 0);
  });

  it("refuses a grant whose role is missing in one of its namespaces, leaving nothing", async () => {
    api.roles.add("Role/team-a/deployer");
    await assert.rejects(
      grants.create(ask({ role: "deployer" })),
      /Role "deployer" in namespace "team-b" does not exist/,
    );
    assert.equal(api.objects.size, 0);
  });

  it("revokes at once: objects gone, grant ended, one event however many revoke", async () => {
    const grant = await grants.create(ask());
    const results = await Promise.all([grants.revoke(grant.id, "admin"), grants.revoke(grant.id, "admin")]);
    for (const r of results) assert.equal(r.endReason, "revoked");
    assert.equal(api.objects.size, 0);
    assert.equal(lifecycle.named("grant.ended").length, 1);
  });

  it("ends the grant in Redis even when the cluster cannot delete, leaving cleanup to the reconciler", async () => {
    const grant = await grants.create(ask());
    api.failWith = (op) => (op === "delete" ? new Error("connection refused") : undefined);
    const ended = await grants.revoke(grant.id, "admin");
    assert.equal(ended.state, "ended");
    assert.match(ended.endDetail ?? "", /reconciler/);
  });

  it("issues tokens only for active grants, and caches the server-held API token", async () => {
    const grant = await grants.create(ask());
    const credential = await issuer.issue(grant);
    assert.ok(credential.token);
    assert.ok(credential.expiresAt <= grant.expiresAt);
    assert.equal(lifecycle.named("token.issued").length, 1);

    const before = api.calls.filter((c) => c === "requestToken").length;
    const [a, b] = await Promise.all([issuer.apiToken(grant), issuer.apiToken(grant)]);
    assert.equal(a, b);
    assert.equal(await issuer.apiToken(grant), a);
    assert.equal(
      api.calls.filter((c) => c === "requestToken").length - before,
      1,
      "one TokenRequest for three callers",
    );

    const ended = await grants.revoke(grant.id, "admin");
    await assert.rejects(
      issuer.issue(ended),
      (err: BrokerError) => err.code === 403 && /ended \(revoked\)/.test(err.message),
    );
  });
});
