import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { patched } from "../../../../src/gateway/guard/patches.ts";
import { BadRequest } from "../../../../src/shared/errors.ts";

type Json = Record<string, unknown>;

const binding = (): Json => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "RoleBinding",
  metadata: {
    name: "rb",
    namespace: "team-a",
    labels: { app: "web", tier: "front" },
    finalizers: ["a", "b"],
    ownerReferences: [
      { apiVersion: "v1", kind: "ConfigMap", name: "one", uid: "u1" },
      { apiVersion: "v1", kind: "ConfigMap", name: "two", uid: "u2" },
    ],
  },
  subjects: [{ kind: "User", name: "alice" }],
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
});
const smp = (patch: unknown, current: Json = binding()) => patched(current, "strategic", patch);
const meta = (object: Json) => object.metadata as Json;
const fails = (patch: unknown, pattern: RegExp, current?: Json) =>
  assert.throws(
    () => smp(patch, current),
    (err: unknown) => err instanceof BadRequest && pattern.test(err.message),
  );

describe("patched: strategic merge patch, lists as the guarded kinds define them", () => {
  it("replaces subjects whole: they have no patchMergeKey (kubectl patch -p)", () => {
    const out = smp({ subjects: [{ kind: "User", name: "dave" }] });
    assert.deepEqual(out.subjects, [{ kind: "User", name: "dave" }]);
    assert.deepEqual(out.roleRef, binding().roleRef);
  });

  it("replaces a Role's rules whole", () => {
    const role = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      rules: [{ verbs: ["get"], resources: ["pods"] }],
    };
    const out = smp({ rules: [{ verbs: ["*"], resources: ["secrets"] }] }, role);
    assert.deepEqual(out.rules, [{ verbs: ["*"], resources: ["secrets"] }]);
  });

  it("keeps $patch items of a replaced list as sent, since the server binds what they name", () => {
    // The server takes the list verbatim and drops the unknown $patch field when decoding.
    const out = smp({ subjects: [{ $patch: "delete", kind: "User", name: "evil" }] });
    assert.deepEqual(out.subjects, [{ $patch: "delete", kind: "User", name: "evil" }]);
    // Where the object had no subjects, the value is new: maps holding $patch vanish from it.
    const bare = binding();
    delete bare.subjects;
    assert.deepEqual(
      smp({ subjects: [{ $patch: "delete", kind: "User", name: "evil" }] }, bare).subjects,
      [],
    );
  });

  it("merges maps, deletes with null and sets a new value without its nulls", () => {
    const out = smp({
      metadata: { labels: { tier: null, env: "prod" }, annotations: { a: "1", b: null } },
      roleRef: null,
    });
    assert.deepEqual(meta(out).labels, { app: "web", env: "prod" });
    assert.deepEqual(meta(out).annotations, { a: "1" });
    assert.equal(out.roleRef, undefined);
  });

  it("merges a Secret's data key by key", () => {
    const secret = { apiVersion: "v1", kind: "Secret", type: "Opaque", data: { a: "YQ==", b: "Yg==" } };
    const out = smp({ data: { b: null, c: "Yw==" }, type: "kubernetes.io/service-account-token" }, secret);
    assert.deepEqual(out, {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/service-account-token",
      data: { a: "YQ==", c: "Yw==" },
    });
  });

  it("replaces a value of another type whole", () => {
    assert.deepEqual(meta(smp({ metadata: { labels: ["x"] } })).labels, ["x"]);
  });

  it("merges finalizers as a set and ownerReferences by uid (ObjectMeta's merging lists)", () => {
    assert.deepEqual(meta(smp({ metadata: { finalizers: ["c", "a"] } })).finalizers, ["c", "a", "b"]);
    const owners = meta(
      smp({
        metadata: {
          ownerReferences: [
            { uid: "u2", name: "renamed" },
            { uid: "u3", name: "three" },
          ],
        },
      }),
    ).ownerReferences as Json[];
    assert.deepEqual(
      owners.map((owner) => `${owner.uid}:${owner.name}`),
      ["u1:one", "u2:renamed", "u3:three"],
    );
  });

  it("fails where the object does not exist: a patch does not create", () => {
    assert.throws(() => patched(undefined, "strategic", {}), { code: 404, message: /does not exist/ });
  });

  it("does not change the object or the patch it was given", () => {
    const current = binding();
    const patch = { $retainKeys: ["metadata"], metadata: { labels: { $patch: "replace", x: "y" } } };
    smp(patch, current);
    assert.deepEqual(current, binding());
    assert.deepEqual(patch, {
      $retainKeys: ["metadata"],
      metadata: { labels: { $patch: "replace", x: "y" } },
    });
  });

  it("refuses a kind whose merge strategies it does not know", () => {
    fails({ spec: {} }, /does not know how the API server merges a strategic merge patch into kind "Pod"/, {
      apiVersion: "v1",
      kind: "Pod",
    });
    fails(["subjects"], /must be a JSON object/);
  });
});

describe("patched: strategic merge patch directives", () => {
  it("$patch: replace takes the patch's map as it is; $patch: delete leaves an empty map", () => {
    assert.deepEqual(meta(smp({ metadata: { labels: { $patch: "replace", only: "this" } } })).labels, {
      only: "this",
    });
    assert.deepEqual(meta(smp({ metadata: { labels: { $patch: "delete" } } })).labels, {});
    assert.deepEqual(smp({ $patch: "delete" }), {});
  });

  it("refuses $patch values the server refuses", () => {
    fails({ metadata: { labels: { $patch: "merge" } } }, /"\$patch": "merge" in a map/);
    fails({ metadata: { $patch: "nonsense" } }, /"\$patch": "nonsense"/);
    fails(
      { metadata: { finalizers: ["x"], ownerReferences: [{ $patch: "merge" }] } },
      /"\$patch": "merge" in a list/,
    );
  });

  it("$patch in a merging list deletes by merge key or replaces the list", () => {
    const deleted = meta(smp({ metadata: { ownerReferences: [{ $patch: "delete", uid: "u1" }] } }));
    assert.deepEqual(
      (deleted.ownerReferences as Json[]).map((owner) => owner.uid),
      ["u2"],
    );
    const replaced = meta(
      smp({ metadata: { ownerReferences: [{ $patch: "replace" }, { uid: "u9", name: "nine" }] } }),
    );
    assert.deepEqual(replaced.ownerReferences, [{ uid: "u9", name: "nine" }]);
    fails({ metadata: { ownerReferences: [{ $patch: "delete" }] } }, /without naming its uid/);
    fails({ metadata: { ownerReferences: [{ name: "no-uid" }] } }, /without its merge key uid/);
  });

  it("$retainKeys clears the keys it does not list, and refuses a patch that sets one", () => {
    const out = smp({ $retainKeys: ["apiVersion", "kind", "metadata", "subjects"], subjects: [] });
    assert.deepEqual(Object.keys(out), ["apiVersion", "kind", "metadata", "subjects"]);
    fails(
      { $retainKeys: ["metadata"], subjects: [] },
      /sets "subjects", which its \$retainKeys list leaves out/,
    );
    fails({ $retainKeys: "metadata" }, /\$retainKeys that is not a list/);
  });

  it("$deleteFromPrimitiveList removes items, and does nothing to a list the object lacks", () => {
    assert.deepEqual(meta(smp({ metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } })).finalizers, [
      "b",
    ]);
    const bare = binding();
    delete meta(bare).finalizers;
    assert.equal(
      meta(smp({ metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } }, bare)).finalizers,
      undefined,
    );
    fails({ "$deleteFromPrimitiveList/subjects": [{ name: "alice" }] }, /has no merge key/);
    fails(
      { metadata: { $deleteFromPrimitiveListfinalizers: ["a"] } },
      /not \$deleteFromPrimitiveList\/<field>/,
    );
  });

  it("$setElementOrder orders a merged list and checks the patch list against it", () => {
    const out = smp({ metadata: { "$setElementOrder/finalizers": ["b", "a", "c"], finalizers: ["c"] } });
    assert.deepEqual(meta(out).finalizers, ["b", "a", "c"]);
    const owners = smp({ metadata: { "$setElementOrder/ownerReferences": [{ uid: "u2" }, { uid: "u1" }] } });
    assert.deepEqual(
      (meta(owners).ownerReferences as Json[]).map((owner) => owner.uid),
      ["u2", "u1"],
    );
    fails(
      { metadata: { "$setElementOrder/finalizers": ["a"], finalizers: ["c"] } },
      /does not match its \$setElementOrder/,
    );
  });

  it("refuses $setElementOrder on subjects, which the API server fails on (objects without a merge key)", () => {
    fails(
      { "$setElementOrder/subjects": [{ name: "alice" }], subjects: [{ name: "x" }] },
      /compares scalars/,
    );
    fails({ "$setElementOrder/subjects": [] }, /a list of objects without a merge key/);
  });
});
