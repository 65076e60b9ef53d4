import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { asAdmin } from "./fixtures.ts";

interface ResourceList {
  groupVersion: string;
  resources: { name: string; namespaced: boolean; kind: string; verbs: string[]; shortNames?: string[] }[];
}

describe("stand-in discovery", () => {
  let standIn: StandIn;
  before(async () => {
    standIn = await startStandIn();
  });
  after(() => standIn.close());

  it("serves /version like a 1.32 server", async () => {
    const version = (await asAdmin(standIn, "/version")).json();
    assert.equal(version.major, "1");
    assert.equal(version.minor, "32");
  });

  it("answers plain APIVersions and APIGroupList even when aggregated discovery is preferred", async () => {
    const accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    const api = await asAdmin(standIn, "/api", { headers: { accept } });
    assert.equal(api.headers["content-type"], "application/json");
    assert.deepEqual(api.json().versions, ["v1"]);
    const apis = await asAdmin(standIn, "/apis", { headers: { accept } });
    const groups = apis.json<{ kind: string; groups: { name: string }[] }>();
    assert.equal(groups.kind, "APIGroupList");
    assert.deepEqual(
      groups.groups.map((g) => g.name),
      [
        "rbac.authorization.k8s.io",
        "authentication.k8s.io",
        "authorization.k8s.io",
        "certificates.k8s.io",
        "apps",
        "events.k8s.io",
        "metrics.k8s.io",
      ],
    );
  });

  it("lists core resources with verbs, scope, kinds, short names and subresources", async () => {
    const list = (await asAdmin(standIn, "/api/v1")).json<ResourceList>();
    const byName = new Map(list.resources.map((r) => [r.name, r]));
    assert.deepEqual(byName.get("pods")?.shortNames, ["po"]);
    assert.deepEqual(byName.get("namespaces")?.shortNames, ["ns"]);
    assert.deepEqual(byName.get("serviceaccounts")?.shortNames, ["sa"]);
    assert.deepEqual(byName.get("configmaps")?.shortNames, ["cm"]);
    assert.equal(byName.get("namespaces")?.namespaced, false);
    assert.deepEqual(byName.get("secrets")?.verbs, [
      "create",
      "delete",
      "deletecollection",
      "get",
      "list",
      "patch",
      "update",
      "watch",
    ]);
    assert.equal(byName.get("serviceaccounts/token")?.kind, "TokenRequest");
    assert.deepEqual(byName.get("pods/exec")?.verbs, ["create", "get"]);
    assert.ok(byName.has("pods/log"));
    const rbac = (await asAdmin(standIn, "/apis/rbac.authorization.k8s.io/v1")).json<ResourceList>();
    assert.deepEqual(
      rbac.resources.map((r) => r.name),
      ["roles", "rolebindings", "clusterroles", "clusterrolebindings"],
    );
    const authz = (await asAdmin(standIn, "/apis/authorization.k8s.io/v1")).json<ResourceList>();
    assert.deepEqual(authz.resources.find((r) => r.name === "selfsubjectaccessreviews")?.verbs, ["create"]);
  });

  it("has no OpenAPI v2 and only the OpenAPI v3 kubectl's validation needs", async () => {
    assert.equal((await asAdmin(standIn, "/openapi/v2")).status, 404);
    const index = (await asAdmin(standIn, "/openapi/v3")).json<{
      paths: Record<string, { serverRelativeURL: string }>;
    }>();
    const core = await asAdmin(standIn, index.paths["api/v1"]!.serverRelativeURL);
    const paths = core.json<{ paths: Record<string, { patch: { parameters: { name: string }[] } }> }>().paths;
    const configMaps = paths["/api/v1/namespaces/{namespace}/configmaps/{name}"];
    assert.ok(configMaps?.patch.parameters.some((p) => p.name === "fieldValidation"));
    assert.equal((await asAdmin(standIn, "/apis/example.com/v1")).status, 404);
    assert.equal((await asAdmin(standIn, "/nowhere")).text, "404 page not found\n");
  });
});
