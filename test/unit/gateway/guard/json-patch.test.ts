import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { patched } from "../../../../src/gateway/guard/patches.ts";
import { BadRequest, Invalid } from "../../../../src/shared/errors.ts";

const binding = () => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "RoleBinding",
  metadata: { name: "rb", namespace: "team-a", labels: { "a/b": "1", "m~n": "2" } },
  subjects: [
    { kind: "User", name: "alice" },
    { kind: "User", name: "bob" },
  ],
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
});
const patch = (ops: unknown) => patched(binding(), "json", ops);
const names = (object: Record<string, unknown>) => (object.subjects as { name: string }[]).map((s) => s.name);
const eve = { kind: "User", name: "eve" };

const fails = (ops: unknown, type: typeof BadRequest | typeof Invalid, pattern: RegExp) =>
  assert.throws(
    () => patch(ops),
    (err: unknown) => err instanceof type && pattern.test(err.message),
  );

describe("patched: JSON patch (RFC 6902, as evanphx/json-patch v4 applies it)", () => {
  it("adds at an index, at the end with -, and counts negative indices from the end", () => {
    assert.deepEqual(names(patch([{ op: "add", path: "/subjects/0", value: eve }])), ["eve", "alice", "bob"]);
    assert.deepEqual(names(patch([{ op: "add", path: "/subjects/-", value: eve }])), ["alice", "bob", "eve"]);
    assert.deepEqual(names(patch([{ op: "add", path: "/subjects/2", value: eve }])), ["alice", "bob", "eve"]);
    assert.deepEqual(names(patch([{ op: "add", path: "/subjects/-1", value: eve }])), [
      "alice",
      "bob",
      "eve",
    ]);
    assert.deepEqual(names(patch([{ op: "replace", path: "/subjects/-1", value: eve }])), ["alice", "eve"]);
  });

  it("removes, replaces, moves and copies", () => {
    assert.deepEqual(names(patch([{ op: "remove", path: "/subjects/0" }])), ["bob"]);
    assert.deepEqual(patch([{ op: "replace", path: "/roleRef/name", value: "admin" }]).roleRef, {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "admin",
    });
    assert.deepEqual(names(patch([{ op: "move", from: "/subjects/0", path: "/subjects/-" }])), [
      "bob",
      "alice",
    ]);
    const copied = patch([{ op: "copy", from: "/subjects/1", path: "/subjects/0" }]);
    assert.deepEqual(names(copied), ["bob", "alice", "bob"]);
  });

  it("replaces a missing object key by adding it, as v4 does", () => {
    const out = patch([{ op: "replace", path: "/metadata/annotations", value: { x: "y" } }]);
    assert.deepEqual((out.metadata as { annotations: unknown }).annotations, { x: "y" });
  });

  it("unescapes ~1 and ~0 in a path", () => {
    const out = patch([
      { op: "replace", path: "/metadata/labels/a~1b", value: "9" },
      { op: "remove", path: "/metadata/labels/m~0n" },
    ]);
    assert.deepEqual(out.metadata, { name: "rb", namespace: "team-a", labels: { "a/b": "9" } });
  });

  it("passes a test that holds, and fails the whole patch on one that does not", () => {
    const ok = [
      { op: "test", path: "/subjects/0", value: { name: "alice", kind: "User" } },
      { op: "test", path: "/metadata/missing", value: null },
      { op: "add", path: "/subjects/-", value: eve },
    ];
    assert.deepEqual(names(patch(ok)), ["alice", "bob", "eve"]);
    fails(
      [
        { op: "add", path: "/subjects/-", value: eve },
        { op: "test", path: "/roleRef/name", value: "edit" },
      ],
      Invalid,
      /test failed/,
    );
  });

  it("does not change the object it was given", () => {
    const current = binding();
    patched(current, "json", [
      { op: "remove", path: "/subjects/0" },
      { op: "add", path: "/metadata/labels/x", value: "y" },
    ]);
    assert.deepEqual(current, binding());
  });

  it("fails on a bad path with a message naming the operation", () => {
    fails(
      [{ op: "add", path: "/nothing/here", value: 1 }],
      Invalid,
      /operation 0 \("add" \/nothing\/here\): the object has no/,
    );
    fails([{ op: "remove", path: "/subjects/5" }], Invalid, /index 5 is outside the list/);
    fails([{ op: "add", path: "/subjects/4", value: eve }], Invalid, /index 4 is outside the list/);
    fails([{ op: "remove", path: "/metadata/nope" }], Invalid, /no "nope" to remove/);
    fails([{ op: "add", path: "/subjects/x", value: eve }], Invalid, /"x" is not an array index/);
    fails([{ op: "move", from: "/nope", path: "/x" }], Invalid, /no "nope" to remove/);
    fails([{ op: "add", path: "subjects", value: [] }], BadRequest, /starts with "\/"/);
    fails([{ op: "remove", path: "" }], Invalid, /whole object can only be replaced or tested/);
    fails([{ op: "replace", path: "", value: [] }], Invalid, /other than an object/);
  });

  it("refuses what is not a patch", () => {
    fails({ op: "add" }, BadRequest, /is a list of operations/);
    fails([{ op: "frobnicate", path: "/a" }], BadRequest, /not add, remove, replace, move, copy or test/);
    fails([{ op: "add" }], BadRequest, /no string "path"/);
    fails(["add"], BadRequest, /operation 0 is not an object/);
  });

  it("refuses more than 1,000 operations (a patch of 10,000 is answered at once)", () => {
    const ops = Array.from({ length: 10_000 }, () => ({ op: "test", path: "/kind", value: "RoleBinding" }));
    fails(ops, BadRequest, /has 10000 operations; the gateway applies at most 1000/);
    assert.equal(patch(ops.slice(0, 1000)).kind, "RoleBinding");
  });

  it("bounds copies that double the object each time", () => {
    const doubling = Array.from({ length: 40 }, () => ({
      op: "copy",
      from: "/subjects",
      path: "/subjects/-",
    }));
    fails(doubling, BadRequest, /copies more than 1000000 values into the object/);
  });

  it("keeps the object within 100 levels of nesting", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 99; i++) deep = [deep];
    fails([{ op: "add", path: "/metadata/labels/deep", value: deep }], BadRequest, /deeper than 100 levels/);
  });
});
