import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { patched } from "../../../../src/gateway/guard/patches.ts";
import { BadRequest, NotFound } from "../../../../src/shared/errors.ts";

const secret = () => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "s", labels: { a: "1", b: "2" } },
  type: "Opaque",
  data: { k: "dg==" },
});
const merge = (patch: unknown, current: Record<string, unknown> = secret()) =>
  patched(current, "merge", patch);

describe("patched: JSON merge patch (RFC 7386, as evanphx/json-patch applies it)", () => {
  it("merges objects, replaces scalars and deletes with null", () => {
    const out = merge({
      metadata: { labels: { a: null, c: "3" } },
      type: "kubernetes.io/service-account-token",
      data: null,
    });
    assert.deepEqual(out, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s", labels: { b: "2", c: "3" } },
      type: "kubernetes.io/service-account-token",
    });
  });

  it("replaces lists whole", () => {
    const binding = { kind: "RoleBinding", subjects: [{ kind: "User", name: "alice" }] };
    assert.deepEqual(merge({ subjects: [{ kind: "User", name: "eve" }] }, binding).subjects, [
      { kind: "User", name: "eve" },
    ]);
  });

  it("sets a new object without its nulls, in objects inside lists too (as evanphx prunes)", () => {
    const out = merge({ metadata: { annotations: { x: null, y: "1" } }, extra: [{ p: null, q: 1 }, null] });
    assert.deepEqual((out.metadata as { annotations: unknown }).annotations, { y: "1" });
    assert.deepEqual(out.extra, [{ q: 1 }, null]);
  });

  it("replaces a scalar with an object, pruning its nulls", () => {
    assert.deepEqual(merge({ type: { a: null, b: 1 } }).type, { b: 1 });
  });

  it("does not change the object it was given", () => {
    const current = secret();
    merge({ metadata: { labels: { a: null } } }, current);
    assert.deepEqual(current, secret());
  });

  it("refuses a patch that is not an object, and an object that does not exist", () => {
    assert.throws(
      () => merge([1]),
      (err: unknown) => err instanceof BadRequest && /is a JSON object/.test(err.message),
    );
    assert.throws(() => merge(null), BadRequest);
    assert.throws(() => patched(undefined, "merge", {}), NotFound);
  });
});
