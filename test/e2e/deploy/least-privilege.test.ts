import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { StandIn } from "../../../tools/stand-in/index.ts";
import { bearer } from "../../support/login.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { render } from "./rendered.ts";

/**
 * The broker running as its own ServiceAccount with exactly deploy/'s RBAC (and nothing
 * else) in the stand-in, whose RBAC enforces bind/escalate rules like a real API server:
 * proof that the manifests' permissions are enough for the whole grant lifecycle.
 */
async function brokerIdentity(standIn: StandIn, dir: string, verification: "jwks" | "tokenreview") {
  const rendered = await render("deploy/");
  for (const object of rendered) {
    if (
      !["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"].includes(
        object.kind,
      )
    )
      continue;
    if (object.kind === "Namespace" && standIn.store.find("namespaces", { name: object.metadata.name }))
      continue;
    standIn.store.create(object as never);
  }
  const token = await standIn.issueToken("kube-broker", "kube-broker", { expirationSeconds: 3600 });
  const kubeconfig = join(dir, "broker.kubeconfig");
  await standIn.writeKubeconfig(kubeconfig, { token });
  return {
    clusters: [
      {
        name: "test",
        auth: { kind: "kubeconfig", file: kubeconfig },
        tokenTtl: "10m",
        tokenVerification: verification,
      },
    ],
    roles: [
      { name: "view", clusterRole: "view", maxTtl: "8h" },
      { name: "edit", clusterRole: "edit", maxTtl: "4h" },
    ],
  };
}

for (const verification of ["jwks", "tokenreview"] as const) {
  describe(`the broker with deploy/'s RBAC only (token verification: ${verification})`, () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ config: ({ standIn, dir }) => brokerIdentity(standIn, dir, verification) });
    });
    after(() => stack?.close());

    it("provisions, issues, serves, reconciles and ends a grant", async () => {
      const session = await stack.login("dev");
      const { token, grant } = await stack.credential(session, { role: "view", namespace: "team-a" });
      const pods = await fetch(`${stack.url}/clusters/test/api/v1/namespaces/team-a/pods`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(pods.status, 200);
      const brokerCalls = stack.standIn.requests.filter(
        (r) => r.user === "system:serviceaccount:kube-broker:kube-broker",
      );
      assert.ok(brokerCalls.length > 0, "the broker acted as its own ServiceAccount");
      assert.deepEqual(
        brokerCalls.filter((r) => r.status === 403),
        [],
        "and was never refused",
      );

      assert.deepEqual(await stack.broker.reconcile(), { deletedObjects: 0, endedGrants: 0 });
      const revoked = await fetch(`${stack.url}/v1/grants/${grant.id}`, {
        method: "DELETE",
        headers: bearer(session),
      });
      assert.equal(revoked.status, 200);
      assert.equal(((await revoked.json()) as { state: string }).state, "ended");
      const [namespace, name] = grant.serviceAccount.split("/") as [string, string];
      assert.equal(
        stack.standIn.store.find("serviceaccounts", { namespace, name }),
        undefined,
        "its ServiceAccount is gone",
      );
      const after = stack.standIn.requests.filter(
        (r) => r.user === "system:serviceaccount:kube-broker:kube-broker",
      );
      assert.deepEqual(
        after.filter((r) => r.status === 403),
        [],
        "no refusal while ending either",
      );
    });

    it("follows namespace patterns: lists namespaces and binds a new one as it appears", async () => {
      const session = await stack.login("dev");
      const { token, grant } = await stack.credential(session, { role: "view" });
      const pods = (namespace: string) =>
        fetch(`${stack.url}/clusters/test/api/v1/namespaces/${namespace}/pods`, {
          headers: { authorization: `Bearer ${token}` },
        }).then((res) => res.status);
      assert.deepEqual([await pods("team-a"), await pods("team-b"), await pods("payments")], [200, 200, 403]);
      stack.standIn.store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team-z" } });
      const deadline = Date.now() + 10_000;
      while ((await pods("team-z")) !== 200 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      assert.equal(await pods("team-z"), 200, "the new team namespace is covered while the grant lasts");
      const refused = stack.standIn.requests.filter(
        (r) => r.user === "system:serviceaccount:kube-broker:kube-broker" && r.status === 403,
      );
      assert.deepEqual(refused, [], "the broker was never refused");
      await fetch(`${stack.url}/v1/grants/${grant.id}`, { method: "DELETE", headers: bearer(session) });
    });

    it("cannot bind a role the config does not grant", async () => {
      const broker = stack.standIn.requests.find(
        (r) => r.user === "system:serviceaccount:kube-broker:kube-broker",
      );
      assert.ok(broker);
      const token = await stack.standIn.issueToken("kube-broker", "kube-broker");
      const res = await fetch(
        `${stack.standIn.url}/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings`,
        {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: "escalation-attempt" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
            subjects: [{ kind: "ServiceAccount", name: "kube-broker", namespace: "kube-broker" }],
          }),
        },
      );
      assert.equal(res.status, 403);
    });
  });
}
