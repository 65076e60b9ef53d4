import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { patched, patchTypeOf, readPatch } from "../../../../src/gateway/guard/patches.ts";
import { MAX_BODY_BYTES } from "../../../../src/gateway/guard/request-body.ts";
import { BadRequest, NotFound } from "../../../../src/shared/errors.ts";
import { body, KUBECTL } from "./kubectl-bodies.ts";

const RBAC = "rbac.authorization.k8s.io/v1";
const binding = () => ({
  apiVersion: RBAC,
  kind: "RoleBinding",
  metadata: { name: "rb", namespace: "default" },
  subjects: [{ kind: "User", name: "alice", apiGroup: "rbac.authorization.k8s.io" }],
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
});
const user = (name: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "User", name });

describe("patchTypeOf", () => {
  it("maps the four PATCH Content-Types, parameters and case aside", () => {
    assert.equal(patchTypeOf("application/json-patch+json"), "json");
    assert.equal(patchTypeOf("application/merge-patch+json; charset=utf-8"), "merge");
    assert.equal(patchTypeOf("Application/Strategic-Merge-Patch+JSON"), "strategic");
    assert.equal(patchTypeOf("application/apply-patch+yaml"), "apply");
  });

  it("refuses any other, naming the four", () => {
    assert.throws(
      () => patchTypeOf("application/json"),
      (err: unknown) =>
        err instanceof BadRequest &&
        /application\/json-patch\+json, .*not "application\/json"/.test(err.message),
    );
  });
});

describe("readPatch and patched on what kubectl 1.32 sends", () => {
  it("applies `kubectl patch rolebinding -p` (strategic): the subjects become dave alone", () => {
    const { type, patch } = readPatch(
      KUBECTL.strategicPatchRoleBinding.contentType,
      body("strategicPatchRoleBinding"),
    );
    assert.equal(type, "strategic");
    assert.deepEqual(patched(binding(), type, patch).subjects, [
      { kind: "User", name: "dave", apiGroup: "rbac.authorization.k8s.io" },
    ]);
  });

  it("applies `kubectl patch --type=json` adding erin", () => {
    const { type, patch } = readPatch(KUBECTL.jsonPatchRoleBinding.contentType, body("jsonPatchRoleBinding"));
    assert.equal(type, "json");
    const subjects = patched(binding(), type, patch).subjects as { name: string }[];
    assert.deepEqual(
      subjects.map((subject) => subject.name),
      ["alice", "erin"],
    );
  });

  it("reads `kubectl apply --server-side` (JSON, read as YAML like the server) and creates or updates", () => {
    const { type, patch } = readPatch(KUBECTL.applyRoleBinding.contentType, body("applyRoleBinding"));
    assert.equal(type, "apply");
    const created = patched(undefined, type, patch);
    assert.deepEqual(created.subjects, [user("carol")]);
    assert.deepEqual(created.metadata, { name: "rb2", namespace: "default" });
    const updated = patched({ ...binding(), metadata: { name: "rb2", namespace: "default" } }, type, patch);
    assert.deepEqual(updated.subjects, [user("carol")]);
  });

  it("reads an apply body in YAML by go-yaml's rules", () => {
    const yaml =
      "apiVersion: authentication.k8s.io/v1\nkind: TokenRequest\nspec:\n  expirationSeconds: 0100000000\n";
    const { patch } = readPatch("application/apply-patch+yaml", Buffer.from(yaml));
    assert.deepEqual(patch, {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { expirationSeconds: 16777216 },
    });
  });

  it("refuses bodies over 1 MiB and bodies that do not parse", () => {
    const big = Buffer.alloc(MAX_BODY_BYTES + 1, 0x20);
    assert.throws(() => readPatch("application/merge-patch+json", big), /gateway reads at most 1048576/);
    assert.throws(() => readPatch("application/json-patch+json", Buffer.from("[{")), /not valid JSON/);
    assert.throws(() => readPatch("application/apply-patch+yaml", Buffer.from("a: [")), /not valid YAML/);
  });

  it("answers NotFound for any patch but apply of an object that does not exist", () => {
    for (const type of ["json", "merge", "strategic"] as const) {
      assert.throws(() => patched(undefined, type, type === "json" ? [] : {}), NotFound);
    }
  });

  it("refuses values nested deeper than 100 levels handed in directly", () => {
    let deep: unknown = {};
    for (let i = 0; i < 200; i++) deep = { a: deep };
    assert.throws(() => patched(binding(), "merge", deep), /the patch nests deeper than 100 levels/);
    assert.throws(
      () => patched(deep as Record<string, unknown>, "merge", {}),
      /the object nests deeper than 100 levels/,
    );
  });
});
