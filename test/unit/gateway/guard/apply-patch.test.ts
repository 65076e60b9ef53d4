import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { patched } from "../../../../src/gateway/guard/patches.ts";
import { BadRequest } from "../../../../src/shared/errors.ts";

type Json = Record<string, unknown>;
const RBAC = "rbac.authorization.k8s.io/v1";

const binding = (): Json => ({
  apiVersion: RBAC,
  kind: "RoleBinding",
  metadata: {
    name: "rb",
    namespace: "team-a",
    labels: { app: "web" },
    finalizers: ["a"],
    ownerReferences: [{ uid: "u1", name: "one" }],
  },
  subjects: [
    { kind: "User", name: "alice" },
    { kind: "User", name: "bob" },
  ],
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
});
const apply = (applied: unknown, current: Json | undefined = binding()) => patched(current, "apply", applied);
const fails = (applied: unknown, pattern: RegExp, current?: Json) =>
  assert.throws(
    () => apply(applied, current),
    (err: unknown) => err instanceof BadRequest && pattern.test(err.message),
  );

describe("patched: server-side apply for the guarded kinds", () => {
  it("replaces subjects whole (an atomic list) and keeps fields the configuration leaves out", () => {
    const out = apply({
      apiVersion: RBAC,
      kind: "RoleBinding",
      metadata: { name: "rb" },
      subjects: [{ kind: "User", name: "carol" }],
    });
    assert.deepEqual(out.subjects, [{ kind: "User", name: "carol" }]);
    assert.deepEqual(out.roleRef, binding().roleRef);
    assert.deepEqual((out.metadata as Json).labels, { app: "web" });
  });

  it("replaces roleRef whole (structType=atomic), not field by field", () => {
    const out = apply({
      apiVersion: RBAC,
      kind: "RoleBinding",
      roleRef: { kind: "ClusterRole", name: "admin" },
    });
    assert.deepEqual(out.roleRef, { kind: "ClusterRole", name: "admin" });
  });

  it("creates the applied object when there is none, without its nulls", () => {
    const applied = {
      apiVersion: RBAC,
      kind: "ClusterRole",
      metadata: { name: "r", labels: { x: null } },
      rules: [{ verbs: ["*"] }],
    };
    assert.deepEqual(patched(undefined, "apply", applied), {
      apiVersion: RBAC,
      kind: "ClusterRole",
      metadata: { name: "r", labels: {} },
      rules: [{ verbs: ["*"] }],
    });
  });

  it("merges maps key by key and unsets a field applied as null", () => {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      type: "Opaque",
      data: { a: "YQ==" },
      immutable: false,
    };
    const out = apply(
      {
        apiVersion: "v1",
        kind: "Secret",
        data: { b: "Yg==" },
        type: "kubernetes.io/service-account-token",
        immutable: null,
      },
      secret,
    );
    assert.deepEqual(out, {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/service-account-token",
      data: { a: "YQ==", b: "Yg==" },
    });
  });

  it("merges finalizers as a set, ownerReferences by uid and CSR conditions by type", () => {
    const out = apply({
      apiVersion: RBAC,
      kind: "RoleBinding",
      metadata: {
        finalizers: ["b", "a"],
        ownerReferences: [
          { uid: "u1", kind: "ConfigMap" },
          { uid: "u2", name: "two" },
        ],
      },
    });
    assert.deepEqual((out.metadata as Json).finalizers, ["a", "b"]);
    assert.deepEqual((out.metadata as Json).ownerReferences, [
      { uid: "u1", name: "one", kind: "ConfigMap" },
      { uid: "u2", name: "two" },
    ]);
    const csr = {
      apiVersion: "certificates.k8s.io/v1",
      kind: "CertificateSigningRequest",
      spec: { signerName: "example.com/x", usages: ["client auth"] },
      status: { conditions: [{ type: "Approved", status: "True" }] },
    };
    const applied = apply(
      {
        ...csr,
        spec: { usages: ["server auth"] },
        status: {
          conditions: [
            { type: "Approved", reason: "r" },
            { type: "Failed", status: "True" },
          ],
        },
      },
      csr,
    );
    assert.deepEqual(applied.spec, { signerName: "example.com/x", usages: ["server auth"] });
    assert.deepEqual((applied.status as Json).conditions, [
      { type: "Approved", status: "True", reason: "r" },
      { type: "Failed", status: "True" },
    ]);
  });

  it("refuses a configuration without apiVersion and kind, of another kind, or of an unknown kind", () => {
    fails({ subjects: [] }, /names its apiVersion and kind/);
    fails(
      { apiVersion: "v1", kind: "Secret" },
      /is for v1 Secret, but the object is "rbac.authorization.k8s.io\/v1" "RoleBinding"/,
    );
    fails({ apiVersion: "v1", kind: "Pod" }, /does not know how server-side apply merges Pod/);
    fails([], /is an object/);
  });
});
