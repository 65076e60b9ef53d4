import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { RbacReport } from "../../../src/reports/index.ts";
import type { StandIn } from "../../../tools/stand-in/index.ts";
import { RISKY, RISKY_SETUP } from "../../support/fakes/rbac-fixtures.ts";
import { bearer } from "../../support/login.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { render, renderWith } from "./rendered.ts";

/**
 * The broker running as its own ServiceAccount with exactly deploy/'s RBAC (and nothing
 * else) in the stand-in, whose RBAC enforces bind/escalate rules like a real API server:
 * proof that the manifests' permissions are enough for the whole grant lifecycle.
 */
async function brokerIdentity(
  standIn: StandIn,
  dir: string,
  verification: "jwks" | "tokenreview",
  components: string[] = [],
) {
  const rendered = components.length > 0 ? await renderWith(components) : await render("deploy/");
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

const BROKER_USER = "system:serviceaccount:kube-broker:kube-broker";

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
      const refused = stack.standIn.requests.filter((r) => r.user === BROKER_USER && r.status === 403);
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

/** The RBAC report as the broker's own ServiceAccount: read-only, Secrets only when opted in. */
for (const components of [[], ["secret-metadata"]]) {
  const optedIn = components.length > 0;
  describe(`the RBAC report with deploy/'s RBAC${optedIn ? " and the secret-metadata component" : " only"}`, () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({
        config: ({ standIn, dir }) => brokerIdentity(standIn, dir, "jwks", components),
      });
      for (const object of [...RISKY_SETUP, ...RISKY]) {
        if (
          object.kind === "Namespace" &&
          stack.standIn.store.find("namespaces", { name: object.metadata.name! })
        )
          continue;
        stack.standIn.store.create(structuredClone(object) as never);
      }
    });
    after(() => stack?.close());

    it(
      optedIn
        ? "finds legacy token Secrets through a metadata-only list, and is refused nothing"
        : "says the legacy-token check was skipped and why, and is refused nothing else",
      async () => {
        const admin = await stack.login("admin");
        const res = await fetch(`${stack.url}/v1/reports/rbac?cluster=test`, { headers: bearer(admin) });
        assert.equal(res.status, 200);
        const report = (await res.json()) as RbacReport;
        const tokens = report.findings.filter((f) => f.check === "legacy-token");
        if (optedIn) {
          assert.deepEqual(report.skipped, []);
          assert.deepEqual(
            tokens.map((f) => f.via),
            ["Secret team-a/tool-token"],
          );
        } else {
          assert.deepEqual(tokens, []);
          assert.equal(report.skipped.length, 1);
          assert.equal(report.skipped[0]!.check, "legacy-token");
          assert.match(
            report.skipped[0]!.reason,
            /may not list Secrets.*deploy\/components\/secret-metadata/,
          );
        }
        assert.ok(
          report.findings.some((f) => f.check === "cluster-admin"),
          "the rest of the scan ran",
        );
        assert.ok(
          report.excluded.some((e) => e.binding === "ClusterRoleBinding/kube-broker"),
          "the broker's own permissions are left out, and listed",
        );
        const calls = stack.standIn.requests.filter((r) => r.user === BROKER_USER);
        // It asks before it lists: without the component it never even tries.
        const secretLists = calls.filter((r) => r.method === "GET" && r.path === "/api/v1/secrets");
        assert.equal(secretLists.length > 0, optedIn);
        for (const call of secretLists) {
          assert.match(call.query, /fieldSelector=type%3Dkubernetes.io%2Fservice-account-token/);
          assert.equal(call.status, 200);
        }
        assert.deepEqual(
          calls.filter((r) => r.status === 403),
          [],
          "the broker was never refused",
        );
        assert.deepEqual(
          calls.filter((r) => r.method !== "GET" && r.path.includes("secrets")),
          [],
          "never writes Secrets",
        );
      },
    );
  });
}
