import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import type { KubeObject } from "../../../tools/stand-in/objects.ts";
import { asAdmin, ensureNamespace } from "./fixtures.ts";

const RBAC = "rbac.authorization.k8s.io";
const user = (name: string) => ({ kind: "User", name, apiGroup: RBAC });
const b64 = (text: string) => Buffer.from(text).toString("base64");

interface Entry {
  manager: string;
  operation: string;
  apiVersion: string;
  time?: string;
  fieldsType: string;
  fieldsV1: Record<string, unknown>;
}

describe("stand-in server-side apply (application/apply-patch+yaml) and managed fields", () => {
  let standIn: StandIn;
  const secretPath = (name: string) => `/api/v1/namespaces/ssa/secrets/${name}`;
  const bindingPath = (name: string) => `/apis/${RBAC}/v1/namespaces/ssa/rolebindings/${name}`;

  function apply(path: string, body: unknown, manager: string | undefined, query = "") {
    const params = new URLSearchParams(query);
    if (manager) params.set("fieldManager", manager);
    return asAdmin(standIn, `${path}?${params}`, {
      method: "PATCH",
      contentType: "application/apply-patch+yaml",
      body,
    });
  }
  const secret = (name: string, data: Record<string, string>, labels?: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: "ssa", ...(labels ? { labels } : {}) },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  });
  const binding = (name: string, subjects: unknown[]) => ({
    apiVersion: `${RBAC}/v1`,
    kind: "RoleBinding",
    metadata: { name, namespace: "ssa" },
    roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "view" },
    subjects,
  });
  const stored = (resource: string, name: string) => standIn.store.get(resource, { namespace: "ssa", name });
  const managers = (object: KubeObject) =>
    ((object.metadata.managedFields ?? []) as Entry[]).map((e) => [e.manager, e.operation, e.fieldsV1]);

  before(async () => {
    standIn = await startStandIn();
    ensureNamespace(standIn, "ssa");
  });
  after(() => standIn.close());

  it("refuses what the API server refuses, with its words", async () => {
    const noManager = await apply(secretPath("x"), secret("x", {}), undefined);
    assert.equal(noManager.status, 422);
    assert.equal(
      noManager.json().message,
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
    standIn.store.create({ kind: "Secret", metadata: { name: "x", namespace: "ssa" } });
    const forced = await asAdmin(standIn, `${secretPath("x")}?force=true`, {
      method: "PATCH",
      contentType: "application/merge-patch+json",
      body: {},
    });
    assert.equal(forced.status, 422);
    assert.equal(
      forced.json().message,
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    );
    const version = await apply(bindingPath("x"), { ...binding("x", []), apiVersion: "v1" }, "ci");
    assert.equal(version.status, 400);
    assert.equal(
      version.json().message,
      `Incorrect version specified in apply patch. Specified patch version: v1, expected: ${RBAC}/v1`,
    );
    const managed = secret("x", {});
    const withManaged = { ...managed, metadata: { ...managed.metadata, managedFields: [] } };
    assert.equal(
      (await apply(secretPath("x"), withManaged, "ci")).json().message,
      "metadata.managedFields must be nil",
    );
    const uid = await apply(secretPath("new"), { ...managed, metadata: { name: "new", uid: "123" } }, "ci");
    assert.equal(uid.status, 409);
    assert.match(
      uid.json<{ message: string }>().message,
      /uid mismatch: the provided object specified uid 123, and no existing object was found/,
    );
    for (const type of ["merge-patch+json", "strategic-merge-patch+json", "json-patch+json"]) {
      const missing = await asAdmin(standIn, secretPath("missing"), {
        method: "PATCH",
        contentType: `application/${type}`,
        body: type.startsWith("json") ? [] : {},
      });
      assert.equal(missing.status, 404, type);
      assert.equal(missing.json().message, 'secrets "missing" not found');
    }
    const unknown = await asAdmin(standIn, secretPath("x"), {
      method: "PATCH",
      contentType: "application/json",
      body: {},
    });
    assert.equal(unknown.status, 415);
    assert.equal(
      unknown.json().message,
      "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml",
    );
  });

  it("creates with 201, records the applier's fields as the server writes them, and a repeat changes nothing", async () => {
    const created = await apply(secretPath("cfg"), secret("cfg", { a: "1" }, { team: "x" }), "ci");
    assert.equal(created.status, 201, created.text);
    const object = created.json<KubeObject>();
    const entries = object.metadata.managedFields as Entry[];
    assert.equal(entries.length, 1);
    assert.deepEqual(
      { ...entries[0], time: undefined },
      {
        manager: "ci",
        operation: "Apply",
        apiVersion: "v1",
        time: undefined,
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { "f:a": {} }, "f:metadata": { "f:labels": { "f:team": {} } } },
      },
    );
    assert.match(entries[0]!.time ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const again = await apply(secretPath("cfg"), secret("cfg", { a: "1" }, { team: "x" }), "ci");
    assert.equal(again.status, 200);
    assert.equal(again.json<KubeObject>().metadata.resourceVersion, object.metadata.resourceVersion);
    const dry = await apply(secretPath("cfg"), secret("cfg", { a: "changed" }), "ci", "dryRun=All");
    assert.equal(dry.status, 200);
    assert.deepEqual(stored("secrets", "cfg").data, { a: b64("1") });
  });

  it("prunes what an applier stops applying, unless another manager still owns it", async () => {
    await apply(secretPath("shared"), secret("shared", { a: "1", b: "2" }, { x: "1", y: "2" }), "first");
    // The same values, so no conflict: both own data.b.
    assert.equal((await apply(secretPath("shared"), secret("shared", { b: "2" }), "second")).status, 200);
    await apply(secretPath("shared"), secret("shared", { a: "1" }, { x: "1" }), "first");
    let object = stored("secrets", "shared");
    assert.deepEqual(object.data, { a: b64("1"), b: b64("2") }, "b stays: second owns it");
    assert.deepEqual(object.metadata.labels, { x: "1" }, "y goes: nobody else owned it");
    await apply(
      secretPath("shared"),
      { ...secret("shared", {}), metadata: { name: "shared", labels: { z: "1" } } },
      "second",
    );
    object = stored("secrets", "shared");
    assert.deepEqual(object.data, { a: b64("1") });
    assert.deepEqual(
      managers(object).map(([manager]) => manager),
      ["first", "second"],
    );
    await apply(secretPath("shared"), { ...secret("shared", {}), metadata: { name: "shared" } }, "first");
    object = stored("secrets", "shared");
    assert.equal(object.data, undefined, "nothing left of data");
    assert.deepEqual(object.metadata.labels, { z: "1" });
  });

  it("refuses to change another manager's field with a 409 naming it, and force takes the field over", async () => {
    await apply(secretPath("owned"), secret("owned", { a: "1", b: "1" }, { l: "1" }), "ci");
    const edited = await asAdmin(standIn, `${secretPath("owned")}?fieldManager=editor`, {
      method: "PATCH",
      contentType: "application/merge-patch+json",
      body: { data: { a: b64("2"), b: b64("2") }, metadata: { labels: { l: "2" } } },
    });
    assert.equal(edited.status, 200);
    const one = await apply(secretPath("owned"), secret("owned", { a: "1" }), "ci");
    assert.equal(one.status, 409);
    assert.deepEqual(one.json(), {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'Apply failed with 1 conflict: conflict with "editor" using v1: .data.a',
      reason: "Conflict",
      details: {
        causes: [
          { reason: "FieldManagerConflict", message: 'conflict with "editor" using v1', field: ".data.a" },
        ],
      },
      code: 409,
    });
    const three = await apply(secretPath("owned"), secret("owned", { a: "1", b: "1" }, { l: "1" }), "ci");
    assert.equal(three.status, 409);
    assert.equal(
      three.json().message,
      'Apply failed with 3 conflicts: conflicts with "editor" using v1:\n- .data.a\n- .data.b\n- .metadata.labels.l',
    );
    const forced = await apply(secretPath("owned"), secret("owned", { a: "1" }), "ci", "force=true");
    assert.equal(forced.status, 200, forced.text);
    const object = stored("secrets", "owned");
    assert.deepEqual(object.data, { a: b64("1"), b: b64("2") });
    const editor = managers(object).find(([manager]) => manager === "editor");
    assert.deepEqual(editor?.[2], { "f:data": { "f:b": {} }, "f:metadata": { "f:labels": { "f:l": {} } } });
  });

  it("an object nobody manages stays unmanaged by updates; the first apply gives its fields to before-first-apply", async () => {
    standIn.store.create({ ...binding("legacy", [user("alice")]), kind: "RoleBinding" });
    const put = await asAdmin(standIn, `${bindingPath("legacy")}?fieldManager=editor`, {
      method: "PUT",
      body: { ...stored("rolebindings", "legacy"), subjects: [user("bob")] },
    });
    assert.equal(put.status, 200);
    assert.equal(put.json<KubeObject>().metadata.managedFields, undefined);
    const conflicted = await apply(bindingPath("legacy"), binding("legacy", [user("mallory")]), "ci");
    assert.equal(conflicted.status, 409);
    assert.equal(
      conflicted.json().message,
      `Apply failed with 1 conflict: conflict with "before-first-apply" using ${RBAC}/v1: .subjects`,
    );
    const shared = await apply(bindingPath("legacy"), binding("legacy", [user("bob")]), "ci");
    assert.equal(shared.status, 200);
    assert.deepEqual(managers(shared.json<KubeObject>()), [
      ["ci", "Apply", { "f:roleRef": {}, "f:subjects": {} }],
      ["before-first-apply", "Update", { "f:roleRef": {}, "f:subjects": {} }],
    ]);
  });

  it("merges associative lists by key (atomic items) and sets by value, and replaces atomic lists", async () => {
    const account = (secrets: string[], finalizers: string[]) => ({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "merged", namespace: "ssa", finalizers },
      secrets: secrets.map((n) => ({ name: n })),
    });
    await apply(
      "/api/v1/namespaces/ssa/serviceaccounts/merged",
      account(["a"], ["example.com/one"]),
      "first",
    );
    await apply(
      "/api/v1/namespaces/ssa/serviceaccounts/merged",
      account(["b"], ["example.com/two"]),
      "second",
    );
    const merged = stored("serviceaccounts", "merged");
    assert.deepEqual(merged.secrets, [{ name: "a" }, { name: "b" }]);
    assert.deepEqual(merged.metadata.finalizers, ["example.com/one", "example.com/two"]);
    assert.deepEqual(managers(merged)[1], [
      "second",
      "Apply",
      {
        "f:metadata": { "f:finalizers": { 'v:"example.com/two"': {} } },
        "f:secrets": { 'k:{"name":"b"}': {} },
      },
    ]);

    await apply(bindingPath("atomic"), binding("atomic", [user("a"), user("b")]), "first");
    const taken = await apply(bindingPath("atomic"), binding("atomic", [user("c")]), "second", "force=true");
    assert.equal(taken.status, 200);
    assert.deepEqual(stored("rolebindings", "atomic").subjects, [user("c")]);
    assert.deepEqual(managers(stored("rolebindings", "atomic")), [
      ["first", "Apply", { "f:roleRef": {} }],
      ["second", "Apply", { "f:roleRef": {}, "f:subjects": {} }],
    ]);
  });

  it("an update gives its manager what it changed, with the map markers the server writes", async () => {
    const created = await asAdmin(standIn, "/api/v1/namespaces/ssa/secrets?fieldManager=maker", {
      method: "POST",
      body: {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "updated", labels: { a: "1" } },
        stringData: { k: "v" },
      },
    });
    assert.equal(created.status, 201);
    assert.deepEqual(managers(created.json<KubeObject>()), [
      [
        "maker",
        "Update",
        // type is defaulted while the body is decoded, so its writer owns it.
        {
          "f:metadata": { "f:labels": { ".": {}, "f:a": {} } },
          "f:stringData": { ".": {}, "f:k": {} },
          "f:type": {},
        },
      ],
    ]);
    const patched = await asAdmin(standIn, `${secretPath("updated")}?fieldManager=patcher`, {
      method: "PATCH",
      contentType: "application/strategic-merge-patch+json",
      body: { metadata: { labels: { a: "2", b: "1" } } },
    });
    assert.deepEqual(managers(patched.json<KubeObject>()), [
      // maker keeps the labels map itself (the "." it had), patcher takes the keys it changed.
      [
        "maker",
        "Update",
        { "f:metadata": { "f:labels": {} }, "f:stringData": { ".": {}, "f:k": {} }, "f:type": {} },
      ],
      ["patcher", "Update", { "f:metadata": { "f:labels": { "f:a": {}, "f:b": {} } } }],
    ]);
  });
});
