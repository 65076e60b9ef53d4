import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { asAdmin, serviceAccountToken } from "./fixtures.ts";

const METADATA_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
const TOKEN_SECRETS = `/api/v1/secrets?fieldSelector=${encodeURIComponent("type=kubernetes.io/service-account-token")}`;

/** What the RBAC report reads the way a real API server serves it (tools/stand-in/README.md). */
describe("stand-in metadata-only lists, Secret type selectors and aggregated ClusterRoles", () => {
  let standIn: StandIn;
  before(async () => {
    standIn = await startStandIn();
    standIn.store.create({ kind: "Namespace", metadata: { name: "md" } });
    standIn.store.create({ kind: "ServiceAccount", metadata: { namespace: "md", name: "old-app" } });
    standIn.store.create({
      kind: "Secret",
      type: "kubernetes.io/service-account-token",
      metadata: {
        namespace: "md",
        name: "old-app-token",
        annotations: { "kubernetes.io/service-account.name": "old-app" },
      },
    });
    standIn.store.create({
      kind: "Secret",
      metadata: { namespace: "md", name: "plain" },
      data: { k: "dmFsdWU=" },
    });
  });
  after(() => standIn?.close());

  it("answers a list with PartialObjectMetadataList: metadata only, the field selector on type applied", async () => {
    const res = await asAdmin(standIn, TOKEN_SECRETS, { headers: { accept: METADATA_LIST } });
    assert.equal(res.status, 200);
    const list = res.json<{
      kind: string;
      apiVersion: string;
      metadata: { resourceVersion: string };
      items: Record<string, unknown>[];
    }>();
    assert.equal(list.kind, "PartialObjectMetadataList");
    assert.equal(list.apiVersion, "meta.k8s.io/v1");
    assert.ok(list.metadata.resourceVersion);
    assert.deepEqual(
      list.items.map((i) => (i.metadata as { name: string }).name),
      ["old-app-token"],
    );
    const [item] = list.items;
    assert.deepEqual(Object.keys(item!).sort(), ["apiVersion", "kind", "metadata"]);
    assert.equal(item!.kind, "PartialObjectMetadata");
    assert.doesNotMatch(res.text, /"data"|"token"/, "no Secret data in the answer");
    const full = await asAdmin(standIn, TOKEN_SECRETS);
    assert.equal(full.json<{ kind: string }>().kind, "SecretList");
  });

  it("answers one object with PartialObjectMetadata, and a mismatched form with 406", async () => {
    const one = await asAdmin(standIn, "/api/v1/namespaces/md/secrets/plain", {
      headers: { accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1" },
    });
    assert.equal(one.status, 200);
    assert.deepEqual(Object.keys(one.json()).sort(), ["apiVersion", "kind", "metadata"]);
    const mismatch = await asAdmin(standIn, "/api/v1/namespaces/md/secrets", {
      headers: { accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1" },
    });
    assert.equal(mismatch.status, 406);
    assert.equal(mismatch.json<{ reason: string }>().reason, "NotAcceptable");
  });

  it("still needs list on secrets: a metadata-only list without it is a 403", async () => {
    const token = await serviceAccountToken(standIn, "md", "reader", {
      clusterRole: "view",
      scope: "cluster",
    });
    const res = await asAdmin(standIn, TOKEN_SECRETS, { token, headers: { accept: METADATA_LIST } });
    assert.equal(res.status, 403);
  });

  it("fills an aggregated ClusterRole's rules from the roles its selectors match", async () => {
    standIn.store.create({
      kind: "ClusterRole",
      metadata: { name: "extra-view", labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } },
      rules: [{ verbs: ["get"], apiGroups: ["example.com"], resources: ["widgets"] }],
    });
    const view = await asAdmin(standIn, "/apis/rbac.authorization.k8s.io/v1/clusterroles/view");
    const rules = view.json<{ rules: { resources?: string[] }[] }>().rules;
    assert.ok(rules.some((r) => r.resources?.includes("widgets")));
    const edit = await asAdmin(standIn, "/apis/rbac.authorization.k8s.io/v1/clusterroles/edit");
    assert.ok(
      edit.json<{ rules: { resources?: string[] }[] }>().rules.some((r) => r.resources?.includes("widgets")),
    );
  });
});
