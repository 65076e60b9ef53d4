import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GuardedKind } from "../../../../src/gateway/guard/guarded-kind.ts";
import { type GuardedGrant, judge } from "../../../../src/gateway/guard/persistence-guard.ts";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const grant = (settings: Partial<GuardedGrant["settings"]> = {}, minutesLeft = 30): GuardedGrant => ({
  id: "g1",
  expiresAt: NOW + minutesLeft * 60_000,
  grantsNamespace: "kube-broker-grants",
  settings: { mode: "enforce", delegation: "none", ...settings },
});
const request = (
  kind: GuardedKind,
  verb: string,
  body: unknown,
  options: { contentType?: string; current?: Record<string, unknown>; namespace?: string } = {},
) => ({
  kind,
  verb,
  contentType: options.contentType ?? "application/json",
  body: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
  namespace: options.namespace ?? "team-a",
  current: async () => options.current,
});
const tokenRequest = (expirationSeconds?: number) => ({
  apiVersion: "authentication.k8s.io/v1",
  kind: "TokenRequest",
  spec: { audiences: ["api"], ...(expirationSeconds ? { expirationSeconds } : {}) },
});
const binding = (subjects: unknown[]) => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "RoleBinding",
  metadata: { name: "b" },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
  subjects,
});
const alice = { kind: "User", name: "alice", apiGroup: "rbac.authorization.k8s.io" };
const grantSa = { kind: "ServiceAccount", name: "kb-bob-x", namespace: "kube-broker-grants" };

describe("the persistence guard's judgements", () => {
  it("lowers a token to the grant's remaining seconds, keeps a short one, never asks for 3607", async () => {
    const lowered = await judge(request("token", "create", tokenRequest(31536000)), grant(), NOW);
    assert.equal(lowered.kind, "rewrite");
    assert.equal(
      JSON.parse(lowered.kind === "rewrite" ? lowered.body.toString() : "").spec.expirationSeconds,
      1800,
    );
    assert.equal((await judge(request("token", "create", tokenRequest(900)), grant(), NOW)).kind, "pass");
    const byDefault = await judge(request("token", "create", tokenRequest()), grant({}, 30), NOW);
    assert.equal(byDefault.kind, "rewrite", "the API server's default of 3600 s outlives a 30-minute grant");
    const edge = await judge(
      request("token", "create", tokenRequest(7200)),
      { ...grant(), expiresAt: NOW + 3607_000 },
      NOW,
    );
    assert.equal(edge.kind === "rewrite" && JSON.parse(edge.body.toString()).spec.expirationSeconds, 3606);
  });

  it("refuses a token for less than ten minutes left, and any for kube-broker's own ServiceAccounts", async () => {
    const late = await judge(request("token", "create", tokenRequest(600)), grant({}, 9), NOW);
    assert.equal(late.kind === "refuse" && late.error.code, 403);
    const own = await judge(
      request("token", "create", tokenRequest(600), { namespace: "kube-broker-grants" }),
      grant(),
      NOW,
    );
    assert.match(own.kind === "refuse" ? own.reason : "", /kube-broker's own ServiceAccounts/);
  });

  it("sees a token Secret however it arrives: create, or a merge patch turning a Secret into one", async () => {
    const typed = { apiVersion: "v1", kind: "Secret", type: "kubernetes.io/service-account-token" };
    assert.equal((await judge(request("secret", "create", typed), grant(), NOW)).kind, "refuse");
    const patch = request(
      "secret",
      "patch",
      { type: "kubernetes.io/service-account-token" },
      {
        contentType: "application/merge-patch+json",
        current: { apiVersion: "v1", kind: "Secret", type: "Opaque", metadata: { name: "s" } },
      },
    );
    assert.equal((await judge(patch, grant(), NOW)).kind, "refuse");
    assert.equal(
      (await judge(request("secret", "create", { ...typed, type: "Opaque" }), grant(), NOW)).kind,
      "pass",
    );
  });

  it("judges only the subjects a binding gains, by delegation", async () => {
    const current = binding([alice]);
    const relabel = request(
      "binding",
      "update",
      { ...binding([alice]), metadata: { name: "b", labels: { a: "b" } } },
      { current },
    );
    assert.equal((await judge(relabel, grant(), NOW)).kind, "pass", "alice was there already");
    const toGrant = request("binding", "create", binding([grantSa]));
    assert.equal((await judge(toGrant, grant({ delegation: "none" }), NOW)).kind, "refuse");
    assert.equal((await judge(toGrant, grant({ delegation: "managed" }), NOW)).kind, "pass");
    const toAlice = request("binding", "create", binding([grantSa, alice]));
    assert.equal((await judge(toAlice, grant({ delegation: "managed" }), NOW)).kind, "refuse");
    assert.equal((await judge(toAlice, grant({ delegation: "any" }), NOW)).kind, "pass");
    const jsonPatch = request("binding", "patch", [{ op: "add", path: "/subjects/-", value: alice }], {
      contentType: "application/json-patch+json",
      current: binding([grantSa]),
    });
    assert.equal((await judge(jsonPatch, grant({ delegation: "managed" }), NOW)).kind, "refuse");
  });

  it("refuses a role that gains escalate, bind, impersonate or every verb, unless delegation is any", async () => {
    const role = (verbs: string[]) => ({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "r" },
      rules: [
        { apiGroups: [""], resources: ["pods"], verbs: ["get"] },
        { apiGroups: ["*"], resources: ["*"], verbs },
      ],
    });
    for (const verbs of [["escalate"], ["bind"], ["impersonate"], ["*"]]) {
      assert.equal(
        (await judge(request("role", "create", role(verbs)), grant(), NOW)).kind,
        "refuse",
        verbs[0],
      );
    }
    assert.equal((await judge(request("role", "create", role(["list"])), grant(), NOW)).kind, "pass");
    assert.equal(
      (await judge(request("role", "create", role(["bind"])), grant({ delegation: "any" }), NOW)).kind,
      "pass",
    );
    const unchanged = request("role", "update", role(["bind"]), { current: role(["bind"]) });
    assert.equal((await judge(unchanged, grant(), NOW)).kind, "pass", "a rule it had already is not new");
  });

  it("refuses client certificates: requests for the kube-apiserver-client signer and approvals", async () => {
    const csr = (signerName: string) => ({
      apiVersion: "certificates.k8s.io/v1",
      kind: "CertificateSigningRequest",
      metadata: { name: "c" },
      spec: { signerName, request: "", usages: ["client auth"] },
    });
    assert.equal(
      (await judge(request("csr", "create", csr("kubernetes.io/kube-apiserver-client")), grant(), NOW)).kind,
      "refuse",
    );
    assert.equal(
      (await judge(request("csr", "create", csr("example.com/serving")), grant(), NOW)).kind,
      "pass",
    );
    const approval = request("csr-approval", "update", csr("kubernetes.io/kube-apiserver-client"));
    assert.equal((await judge(approval, grant(), NOW)).kind, "refuse");
  });

  it("in audit mode lets everything through and says what it would have done", async () => {
    const verdict = await judge(
      request("binding", "create", binding([alice])),
      grant({ mode: "audit" }),
      NOW,
    );
    assert.equal(verdict.kind, "pass");
    assert.match(
      verdict.note ?? "",
      /^persistence guard \(audit mode\) would have refused this: a binding would give User "alice"/,
    );
  });

  it("answers a body it cannot read with a clear error", async () => {
    await assert.rejects(
      judge(request("secret", "create", "{not json"), grant(), NOW),
      (err: { code: number }) => err.code === 400,
    );
  });
});
