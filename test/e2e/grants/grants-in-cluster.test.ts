import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import type { Config } from "../../../src/config/schema.ts";
import type { NewGrant } from "../../../src/grants/grant-request.ts";
import type { BrokerError } from "../../../src/shared/errors.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { kubeRequest } from "../../../tools/stand-in/client.ts";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { JumpClock } from "../../support/fakes/jump-clock.ts";
import { testConfig } from "../../support/fakes/test-config.ts";
import { grantsFeature, waitFor } from "../../support/grants.ts";

const dev = {
  kind: "user" as const,
  subject: "dev",
  name: "dev@example.com",
  email: "dev@example.com",
  groups: ["developers"],
};
const ask = (overrides: Partial<NewGrant> = {}): NewGrant => ({
  principal: dev,
  cluster: "test",
  role: "view",
  namespaces: ["team-a"],
  ttlSeconds: 3600,
  origin: "standing",
  reason: "test",
  ...overrides,
});

describe("grants in a cluster (the stand-in)", () => {
  let redis: RedisHarness;
  let standIn: StandIn;
  let config: Config;
  let replica: ReturnType<typeof grantsFeature>;
  let clock: JumpClock;
  const as = (token: string) => ({ url: standIn.url, caCert: standIn.caCert, token });
  const get = (token: string, path: string) =>
    kubeRequest({ url: standIn.url, caCert: standIn.caCert }, path, { token }).then((r) => r.status);
  const managed = () =>
    [
      ...standIn.store.list("serviceaccounts", "kube-broker-grants"),
      ...standIn.store.list("rolebindings"),
      ...standIn.store.list("clusterrolebindings"),
    ].filter((o) => o.metadata?.labels?.["app.kubernetes.io/managed-by"] === "kube-broker");

  before(async () => {
    redis = await startRedis();
    standIn = await startStandIn();
    await standIn.seedDemo();
    standIn.store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-broker-grants" } });
    const kubeconfig = join(await mkdtemp(join(tmpdir(), "kb-grants-")), "admin.kubeconfig");
    await standIn.writeKubeconfig(kubeconfig);
    config = testConfig({
      clusters: [{ name: "test", auth: { kind: "kubeconfig", file: kubeconfig } }],
      roles: [
        { name: "view", clusterRole: "view", maxTtl: "8h" },
        { name: "edit", clusterRole: "edit", maxTtl: "4h" },
        { name: "deployer", role: "deployer", maxTtl: "1h" },
        { name: "cluster-reader", clusterRole: "view", scope: "cluster", maxTtl: "1h" },
      ],
    });
  });
  after(async () => {
    await standIn.close();
    await redis.close();
  });
  beforeEach(async () => {
    await redis.clear();
    // Each test starts from a cluster with nothing kube-broker made.
    for (const object of managed()) {
      const kind =
        object.kind === "ServiceAccount"
          ? "serviceaccounts"
          : object.kind === "RoleBinding"
            ? "rolebindings"
            : "clusterrolebindings";
      standIn.store.delete(kind, {
        namespace: object.metadata?.namespace ?? "",
        name: object.metadata?.name ?? "",
      });
    }
    clock = new JumpClock();
    replica = grantsFeature(config, redis, { clock });
  });

  it("a view grant's API token lists pods in its namespace, and nothing more", async () => {
    const grant = await replica.grants.create(ask());
    const token = await replica.issuer.apiToken(grant);
    assert.equal(await get(token, "/api/v1/namespaces/team-a/pods"), 200);
    assert.equal(await get(token, "/api/v1/namespaces/team-a/secrets"), 403);
    assert.equal(await get(token, "/api/v1/namespaces/team-b/pods"), 403);
    const sa = standIn.store.get("serviceaccounts", {
      namespace: "kube-broker-grants",
      name: grant.serviceAccount.name,
    });
    assert.equal(sa.metadata?.labels?.["kube-broker.io/grant"], grant.id);
    assert.match(sa.metadata?.annotations?.["kube-broker.io/principal"] ?? "", /dev@example.com/);
    assert.ok(sa.metadata?.annotations?.["kube-broker.io/expires-at"]);
  });

  it("an edit grant can create a configmap", async () => {
    const grant = await replica.grants.create(ask({ role: "edit" }));
    const res = await kubeRequest(
      as(await replica.issuer.apiToken(grant)),
      "/api/v1/namespaces/team-a/configmaps",
      {
        method: "POST",
        token: await replica.issuer.apiToken(grant),
        body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "made-by-grant" }, data: { a: "1" } },
      },
    );
    assert.equal(res.status, 201, res.text);
  });

  it("the handed-out gateway-audience token is refused by the API server itself", async () => {
    const grant = await replica.grants.create(ask());
    const credential = await replica.issuer.issue(grant);
    assert.equal(await get(credential.token, "/api/v1/namespaces/team-a/pods"), 401);
    const [, payload] = credential.token.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as {
      aud: string[];
      exp: number;
    };
    assert.deepEqual(claims.aud, ["kube-broker:test"]);
    assert.ok(credential.expiresAt < claims.exp * 1000, "reported expiry is earlier than the JWT's exp");
    assert.ok(claims.exp * 1000 - Date.now() <= 900_000 + 5000, "the cluster's tokenTtl (15m by default)");
  });

  it("at the deadline the token stops working and the objects are gone", async () => {
    const grant = await replica.grants.create(ask({ namespaces: ["team-a", "team-b"] }));
    const token = await replica.issuer.apiToken(grant);
    assert.equal(await get(token, "/api/v1/namespaces/team-b/pods"), 200);
    clock.jumpTo(grant.expiresAt, 500);
    replica.expiry.start();
    try {
      const ended = await waitFor(async () => {
        const g = await replica.store.get(grant.id);
        return g?.state === "ended" ? g : undefined;
      }, 4000);
      assert.equal(ended?.endReason, "expired");
      assert.ok(
        ended!.endedAt! - grant.expiresAt < 2000,
        `ended ${ended!.endedAt! - grant.expiresAt} ms after the deadline`,
      );
      assert.equal(await get(token, "/api/v1/namespaces/team-a/pods"), 401);
      assert.deepEqual(managed(), []);
      assert.equal(replica.lifecycle.named("grant.ended").length, 1);
    } finally {
      await replica.expiry.stop();
    }
  });

  it("revoke ends it at once", async () => {
    const grant = await replica.grants.create(ask({ role: "cluster-reader", namespaces: [] }));
    const token = await replica.issuer.apiToken(grant);
    assert.equal(await get(token, "/api/v1/namespaces/payments/pods"), 200, "cluster-wide");
    await replica.grants.revoke(grant.id, "admin@example.com");
    assert.equal(await get(token, "/api/v1/namespaces/payments/pods"), 401);
    assert.deepEqual(managed(), []);
    await assert.rejects(
      replica.issuer.issue((await replica.store.get(grant.id))!),
      (err: BrokerError) => err.code === 403,
    );
  });

  it("provisioning that fails half-way (a Role missing in one namespace) leaves nothing behind", async () => {
    standIn.store.create({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "deployer", namespace: "team-a" },
      rules: [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "update"] }],
    });
    await assert.rejects(
      replica.grants.create(ask({ role: "deployer", namespaces: ["team-a", "team-b"] })),
      (err: BrokerError) =>
        err.code === 422 && /Role "deployer" in namespace "team-b" does not exist/.test(err.message),
    );
    assert.deepEqual(managed(), []);
    const [failed] = await replica.grants.listAll({ includeEnded: true });
    assert.equal(failed?.endReason, "provision-failed");
  });

  it("refuses bad input with a Status and creates nothing", async () => {
    const cases: Partial<NewGrant>[] = [
      { cluster: "elsewhere" },
      { role: "root" },
      { ttlSeconds: 9 * 3600 },
      { namespaces: ["Not_DNS"] },
      { principal: { ...dev, name: "n".repeat(400) } },
    ];
    for (const overrides of cases) {
      await assert.rejects(replica.grants.create(ask(overrides)), (err: BrokerError) => err.code === 422);
    }
    assert.deepEqual(managed(), []);
    assert.deepEqual(await redis.client().keys(`${redis.keyPrefix}*`), []);
  });

  it("two replicas end each expiring grant once; one hanging mid-way does not delay the other", async () => {
    const other = grantsFeature(config, redis, { lifecycle: replica.lifecycle, clock });
    const grants = await Promise.all(
      ["team-a", "team-b", "payments"].map((ns) => replica.grants.create(ask({ namespaces: [ns] }))),
    );
    const deadline = Math.max(...grants.map((g) => g.expiresAt));
    clock.jumpTo(deadline, 700);
    // Replica A freezes while deleting, as if its process stopped after taking a grant.
    const frozen = grantsFeature(config, redis, { lifecycle: replica.lifecycle, clock });
    frozen.api.deleteRoleBinding = () => new Promise(() => {});
    frozen.expiry.start();
    await new Promise((r) => setTimeout(r, deadline - clock.now() + 50));
    replica.expiry.start();
    other.expiry.start();
    try {
      for (const g of grants) {
        const ended = await waitFor(async () => {
          const s = await replica.store.get(g.id);
          return s?.state === "ended" ? s : undefined;
        }, 4000);
        assert.ok(ended, `grant ${g.id} ended`);
        assert.ok(ended.endedAt! - deadline < 2000, `ended ${ended.endedAt! - deadline} ms late`);
      }
      assert.equal(replica.lifecycle.named("grant.ended").length, 3, "each exactly once");
      assert.deepEqual(managed(), []);
    } finally {
      void frozen.expiry.stop();
      await replica.expiry.stop();
      await other.expiry.stop();
    }
  });

  it("reconcile removes an orphan ServiceAccount and ends a grant whose ServiceAccount was deleted by hand", async () => {
    standIn.store.create({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        name: "kb-left-behind-x1",
        namespace: "kube-broker-grants",
        labels: { "app.kubernetes.io/managed-by": "kube-broker", "kube-broker.io/grant": "gone" },
      },
    });
    const grant = await replica.grants.create(ask());
    standIn.store.delete("serviceaccounts", {
      namespace: "kube-broker-grants",
      name: grant.serviceAccount.name,
    });
    await new Promise((r) => setTimeout(r, 5));
    const report = await replica.reconciler.runOnce();
    assert.deepEqual(report, { deletedObjects: 1, endedGrants: 1 });
    assert.equal((await replica.store.get(grant.id))?.endReason, "orphaned");
    assert.deepEqual(managed(), [], "the orphan and the grant's remaining RoleBinding are gone");
  });
});
