import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import type { KubeObject } from "../../../tools/stand-in/objects.ts";
import { asAdmin, ensureNamespace } from "./fixtures.ts";

const SMP = "application/strategic-merge-patch+json";

describe("stand-in strategic merge patch and JSON patch, as apimachinery applies them", () => {
  let standIn: StandIn;
  const patch = (path: string, body: unknown, contentType = SMP) =>
    asAdmin(standIn, path, { method: "PATCH", contentType, body });
  const account = "/api/v1/namespaces/smp/serviceaccounts/sa";
  const secretsOf = (res: { json<T>(): T }) =>
    (res.json<KubeObject>().secrets as { name: string; namespace?: string }[]).map((s) =>
      s.namespace ? `${s.name}@${s.namespace}` : s.name,
    );

  before(async () => {
    standIn = await startStandIn();
    ensureNamespace(standIn, "smp");
    standIn.store.create({
      kind: "ServiceAccount",
      metadata: { name: "sa", namespace: "smp", finalizers: ["example.com/a"] },
      secrets: [{ name: "a" }, { name: "b" }],
    });
  });
  after(() => standIn.close());

  it("merges lists with a patchMergeKey by key: new items first, existing ones merged in place", async () => {
    assert.deepEqual(secretsOf(await patch(account, { secrets: [{ name: "c" }] })), ["c", "a", "b"]);
    assert.deepEqual(secretsOf(await patch(account, { secrets: [{ name: "a", namespace: "smp" }] })), [
      "c",
      "a@smp",
      "b",
    ]);
    const ordered = await patch(account, {
      "$setElementOrder/secrets": [{ name: "b" }, { name: "a" }, { name: "c" }],
    });
    assert.deepEqual(secretsOf(ordered), ["b", "a@smp", "c"]);
  });

  it("honours $patch delete and replace in a merging list, and refuses $patch merge or a missing merge key", async () => {
    assert.deepEqual(secretsOf(await patch(account, { secrets: [{ $patch: "delete", name: "a" }] })), [
      "b",
      "c",
    ]);
    assert.deepEqual(secretsOf(await patch(account, { secrets: [{ $patch: "replace" }, { name: "z" }] })), [
      "z",
    ]);
    const merge = await patch(account, { secrets: [{ $patch: "merge", name: "z" }] });
    assert.equal(merge.status, 500);
    assert.equal(merge.json().message, "merging lists cannot yet be specified in the patch");
    assert.equal(merge.json().reason, undefined, "a plain Go error: StatusReasonUnknown");
    const keyless = await patch(account, { secrets: [{ $patch: "delete" }] });
    assert.equal(keyless.status, 500);
    assert.equal(keyless.json().message, "map: map[$patch:delete] does not contain declared merge key: name");
    const bogus = await patch(account, { metadata: { $patch: "bogus", labels: { a: "b" } } });
    assert.equal(bogus.status, 500);
    assert.equal(bogus.json().message, "unknown patch type: bogus in map: map[$patch:bogus labels:map[a:b]]");
  });

  it("merges scalar sets (finalizers) and deletes from them with $deleteFromPrimitiveList", async () => {
    const added = await patch(account, { metadata: { finalizers: ["example.com/b", "example.com/a"] } });
    assert.deepEqual(added.json<KubeObject>().metadata.finalizers, ["example.com/b", "example.com/a"]);
    const removed = await patch(account, {
      metadata: { "$deleteFromPrimitiveList/finalizers": ["example.com/a"] },
    });
    assert.deepEqual(removed.json<KubeObject>().metadata.finalizers, ["example.com/b"]);
    const malformed = await patch(account, { metadata: { $deleteFromPrimitiveList: ["x"] } });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json().message, "invalid patch format of primitive list");
  });

  it("keeps only the named keys of a struct with $retainKeys (pod volumes are merge,retainKeys)", async () => {
    standIn.store.create({
      kind: "Pod",
      metadata: { name: "p", namespace: "smp" },
      spec: {
        containers: [{ name: "main", image: "busybox" }],
        volumes: [{ name: "v", emptyDir: {} }],
      },
    });
    const res = await patch("/api/v1/namespaces/smp/pods/p", {
      spec: { volumes: [{ name: "v", $retainKeys: ["name", "configMap"], configMap: { name: "c" } }] },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual((res.json<KubeObject>().spec as { volumes: unknown[] }).volumes, [
      { name: "v", configMap: { name: "c" } },
    ]);
    const outside = await patch("/api/v1/namespaces/smp/pods/p", {
      spec: { volumes: [{ name: "v", $retainKeys: ["name"], secret: { secretName: "s" } }] },
    });
    assert.equal(outside.status, 400);
    assert.equal(outside.json().message, "invalid patch format of retainKeys");
  });

  it("replaces maps with $patch: replace, empties them with $patch: delete, and drops a directive-only value", async () => {
    const secret = "/api/v1/namespaces/smp/secrets/s";
    standIn.store.create({
      kind: "Secret",
      metadata: { name: "s", namespace: "smp" },
      stringData: { a: "1", b: "2" },
    });
    const merged = await patch(secret, { data: { c: "Mw==", a: null } });
    assert.deepEqual(merged.json<KubeObject>().data, { b: "Mg==", c: "Mw==" });
    const replaced = await patch(secret, { data: { $patch: "replace", only: "MQ==" } });
    assert.deepEqual(replaced.json<KubeObject>().data, { only: "MQ==" });
    const emptied = await patch(secret, { data: { $patch: "delete" } });
    assert.equal(emptied.json<KubeObject>().data, undefined);
    const absent = await patch(secret, { metadata: { labels: { $patch: "replace", x: "y" } } });
    assert.equal(absent.status, 200);
    assert.equal(absent.json<KubeObject>().metadata.labels, undefined);
  });

  it("refuses a body that is not an object (400) and answers JSON patch failures with the server's 422", async () => {
    const list = await patch(account, [{ op: "add" }]);
    assert.equal(list.status, 400);
    assert.equal(
      list.json().message,
      "json: cannot unmarshal array into Go value of type map[string]interface {}",
    );
    const notList = await patch(account, { op: "add" }, "application/json-patch+json");
    assert.equal(notList.status, 400);
    const failed = await patch(
      account,
      [{ op: "remove", path: "/metadata/labels/none" }],
      "application/json-patch+json",
    );
    assert.deepEqual(failed.json(), {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "the server rejected our request due to an error in our request",
      reason: "Invalid",
      details: {},
      code: 422,
    });
    const rv = standIn.store.get("serviceaccounts", { namespace: "smp", name: "sa" }).metadata
      .resourceVersion;
    const guarded = await patch(
      account,
      [
        { op: "test", path: "/metadata/resourceVersion", value: rv },
        { op: "add", path: "/metadata/labels", value: { ok: "yes" } },
      ],
      "application/json-patch+json",
    );
    assert.equal(guarded.status, 200);
    assert.deepEqual(guarded.json<KubeObject>().metadata.labels, { ok: "yes" });
  });
});
