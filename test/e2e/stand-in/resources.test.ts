import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { asAdmin, ensureNamespace } from "./fixtures.ts";

describe("stand-in resources", () => {
  let standIn: StandIn;
  before(async () => {
    standIn = await startStandIn();
    ensureNamespace(standIn, "res");
  });
  after(() => standIn.close());

  it("creates objects with uid, resourceVersion, creationTimestamp and namespace", async () => {
    const res = await asAdmin(standIn, "/api/v1/namespaces/res/configmaps", {
      method: "POST",
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "one" }, data: { a: "1" } },
    });
    assert.equal(res.status, 201);
    const meta = res.json<{ metadata: Record<string, string> }>().metadata;
    assert.match(meta.uid!, /^[0-9a-f-]{36}$/);
    assert.match(meta.resourceVersion!, /^\d+$/);
    assert.match(meta.creationTimestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(meta.namespace, "res");
    const got = await asAdmin(standIn, "/api/v1/namespaces/res/configmaps/one");
    assert.deepEqual(got.json().data, { a: "1" });
  });

  it("answers 404, 409 and 422 with the real server's Status", async () => {
    const missing = await asAdmin(standIn, "/api/v1/namespaces/res/pods/x");
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json(), {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'pods "x" not found',
      reason: "NotFound",
      details: { name: "x", kind: "pods" },
      code: 404,
    });
    const sa = { kind: "ServiceAccount", apiVersion: "v1", metadata: { name: "dup" } };
    await asAdmin(standIn, "/api/v1/namespaces/res/serviceaccounts", { method: "POST", body: sa });
    const again = await asAdmin(standIn, "/api/v1/namespaces/res/serviceaccounts", {
      method: "POST",
      body: sa,
    });
    assert.equal(again.status, 409);
    assert.equal(again.json().reason, "AlreadyExists");
    assert.equal(again.json().message, 'serviceaccounts "dup" already exists');

    const bad = await asAdmin(standIn, "/api/v1/namespaces/res/configmaps", {
      method: "POST",
      body: { kind: "ConfigMap", apiVersion: "v1", metadata: { name: "Bad_Name" } },
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.json().reason, "Invalid");
    assert.equal(
      bad.json().message,
      `ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
    const ns = await asAdmin(standIn, "/api/v1/namespaces", {
      method: "POST",
      body: { kind: "Namespace", apiVersion: "v1", metadata: { name: "a.b" } },
    });
    assert.equal(ns.status, 422);
    assert.match(
      ns.json<{ message: string }>().message,
      /a lowercase RFC 1123 label .*'my-name', {2}or '123-abc'/,
    );
    const noNamespace = await asAdmin(standIn, "/api/v1/namespaces/nowhere/configmaps", {
      method: "POST",
      body: { kind: "ConfigMap", apiVersion: "v1", metadata: { name: "c" } },
    });
    assert.equal(noNamespace.status, 404);
    assert.equal(noNamespace.json().message, 'namespaces "nowhere" not found');
  });

  it("refuses malformed JSON (400), unknown verbs (405) and unknown resources (404)", async () => {
    const malformed = await asAdmin(standIn, "/api/v1/namespaces/res/configmaps", {
      method: "POST",
      body: "{nope",
    });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json().reason, "BadRequest");
    const put = await asAdmin(standIn, "/api/v1/namespaces/res/configmaps", { method: "PUT", body: {} });
    assert.equal(put.status, 405);
    assert.equal(put.json().reason, "MethodNotAllowed");
    const unknown = await asAdmin(standIn, "/api/v1/namespaces/res/widgets");
    assert.equal(unknown.status, 404);
  });

  it("updates with resourceVersion preconditions (409 when stale)", async () => {
    const created = standIn.store.create({ kind: "ConfigMap", metadata: { name: "upd", namespace: "res" } });
    const path = "/api/v1/namespaces/res/configmaps/upd";
    const first = await asAdmin(standIn, path, { method: "PUT", body: { ...created, data: { v: "1" } } });
    assert.equal(first.status, 200);
    assert.notEqual(
      first.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion,
      created.metadata.resourceVersion,
    );
    const stale = await asAdmin(standIn, path, { method: "PUT", body: { ...created, data: { v: "2" } } });
    assert.equal(stale.status, 409);
    assert.equal(
      stale.json().message,
      'Operation cannot be fulfilled on configmaps "upd": the object has been modified; please apply your changes to the latest version and try again',
    );
    const renamed = await asAdmin(standIn, path, {
      method: "PUT",
      body: { ...created, metadata: { name: "other" } },
    });
    assert.equal(renamed.status, 400);
  });

  it("patches with merge, strategic merge and JSON patch", async () => {
    standIn.store.create({
      kind: "ConfigMap",
      metadata: { name: "p", namespace: "res" },
      data: { a: "1", b: "2" },
    });
    const path = "/api/v1/namespaces/res/configmaps/p";
    const merge = await asAdmin(standIn, path, {
      method: "PATCH",
      contentType: "application/merge-patch+json",
      body: { metadata: { labels: { tier: "x" } }, data: { a: null, c: "3" } },
    });
    assert.deepEqual(merge.json().data, { b: "2", c: "3" });
    const json = await asAdmin(standIn, path, {
      method: "PATCH",
      contentType: "application/json-patch+json",
      body: [
        { op: "replace", path: "/data/b", value: "20" },
        { op: "remove", path: "/data/c" },
      ],
    });
    assert.deepEqual(json.json().data, { b: "20" });
    standIn.store.create({
      kind: "Pod",
      metadata: { name: "sp", namespace: "res" },
      spec: {
        containers: [
          { name: "a", image: "one" },
          { name: "b", image: "two" },
        ],
      },
    });
    const strategic = await asAdmin(standIn, "/api/v1/namespaces/res/pods/sp", {
      method: "PATCH",
      contentType: "application/strategic-merge-patch+json",
      body: { spec: { containers: [{ name: "b", image: "three" }] } },
    });
    const containers = strategic.json<{ spec: { containers: { image: string }[] } }>().spec.containers;
    assert.deepEqual(
      containers.map((c) => c.image),
      ["one", "three"],
    );
  });

  it("lists with label selectors (=, ==, !=, in, notin, exists, !key) and field selectors", async () => {
    ensureNamespace(standIn, "sel");
    const labels: Record<string, Record<string, string>> = {
      a: { app: "web", tier: "front" },
      b: { app: "web", tier: "back" },
      c: { app: "db" },
      d: {},
    };
    for (const [name, l] of Object.entries(labels)) {
      standIn.store.create({ kind: "ConfigMap", metadata: { name, namespace: "sel", labels: l } });
    }
    const names = async (query: string) => {
      const res = await asAdmin(standIn, `/api/v1/namespaces/sel/configmaps?${query}`);
      assert.equal(res.status, 200, res.text);
      return res.json<{ items: { metadata: { name: string } }[] }>().items.map((i) => i.metadata.name);
    };
    const q = (selector: string) => `labelSelector=${encodeURIComponent(selector)}`;
    assert.deepEqual(await names(q("app=web")), ["a", "b"]);
    assert.deepEqual(await names(q("app==web,tier=back")), ["b"]);
    assert.deepEqual(await names(q("app!=web")), ["c", "d"]);
    assert.deepEqual(await names(q("tier in (front, back)")), ["a", "b"]);
    assert.deepEqual(await names(q("tier notin (front)")), ["b", "c", "d"]);
    assert.deepEqual(await names(q("tier")), ["a", "b"]);
    assert.deepEqual(await names(q("!app")), ["d"]);
    assert.deepEqual(await names(`fieldSelector=${encodeURIComponent("metadata.name=c")}`), ["c"]);
    assert.deepEqual(await names(`fieldSelector=${encodeURIComponent("metadata.name!=c")}`), ["a", "b", "d"]);
    const paged = await asAdmin(standIn, "/api/v1/namespaces/sel/configmaps?limit=3");
    const page = paged.json<{ items: unknown[]; metadata: { continue: string } }>();
    assert.equal(page.items.length, 3);
    const rest = await names(`limit=3&continue=${page.metadata.continue}`);
    assert.deepEqual(rest, ["d"]);
  });

  it("deletes: Status for most kinds, the object for pods, and deletecollection by selector", async () => {
    standIn.store.create({
      kind: "Secret",
      metadata: { name: "gone", namespace: "res" },
      stringData: { k: "v" },
    });
    const deleted = await asAdmin(standIn, "/api/v1/namespaces/res/secrets/gone", { method: "DELETE" });
    assert.equal(deleted.status, 200);
    assert.equal(deleted.json().kind, "Status");
    assert.equal(deleted.json().status, "Success");
    standIn.store.create({
      kind: "Pod",
      metadata: { name: "dp", namespace: "res" },
      spec: { containers: [{ name: "m", image: "i" }] },
    });
    const pod = await asAdmin(standIn, "/api/v1/namespaces/res/pods/dp", { method: "DELETE" });
    assert.equal(pod.json().kind, "Pod");
    assert.ok(pod.json<{ metadata: { deletionTimestamp: string } }>().metadata.deletionTimestamp);
    for (const name of ["k1", "k2", "k3"]) {
      standIn.store.create({
        kind: "ConfigMap",
        metadata: { name, namespace: "res", labels: { batch: name === "k3" ? "no" : "yes" } },
      });
    }
    const collection = await asAdmin(standIn, "/api/v1/namespaces/res/configmaps?labelSelector=batch%3Dyes", {
      method: "DELETE",
    });
    assert.equal(collection.status, 200);
    assert.equal(collection.json<{ items: unknown[] }>().items.length, 2);
    assert.ok(standIn.store.find("configmaps", { namespace: "res", name: "k3" }));
  });

  it("deleting a namespace deletes what is in it", async () => {
    ensureNamespace(standIn, "doomed");
    standIn.store.create({ kind: "ConfigMap", metadata: { name: "c", namespace: "doomed" } });
    assert.ok(
      standIn.store.find("serviceaccounts", { namespace: "doomed", name: "default" }),
      "default SA appears",
    );
    const res = await asAdmin(standIn, "/api/v1/namespaces/doomed", { method: "DELETE" });
    assert.equal(res.json<{ status: { phase: string } }>().status.phase, "Terminating");
    assert.equal(standIn.store.list("configmaps", "doomed").length, 0);
    assert.equal(standIn.store.list("serviceaccounts", "doomed").length, 0);
    assert.equal((await asAdmin(standIn, "/api/v1/namespaces/doomed")).status, 404);
  });

  it("serves Table when kubectl asks for it", async () => {
    standIn.store.create({
      kind: "Pod",
      metadata: { name: "tp", namespace: "res" },
      spec: { containers: [{ name: "m", image: "i" }] },
    });
    const res = await asAdmin(standIn, "/api/v1/namespaces/res/pods", {
      headers: { accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" },
    });
    const table = res.json<{
      kind: string;
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[] }[];
    }>();
    assert.equal(table.kind, "Table");
    assert.deepEqual(
      table.columnDefinitions.slice(0, 5).map((c) => c.name),
      ["Name", "Ready", "Status", "Restarts", "Age"],
    );
    assert.deepEqual(table.rows.find((r) => r.cells[0] === "tp")?.cells.slice(0, 4), [
      "tp",
      "1/1",
      "Running",
      "0",
    ]);
  });
});
