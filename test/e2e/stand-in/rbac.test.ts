import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { kubeRequest } from "../../../tools/stand-in/client.ts";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { asAdmin, ensureNamespace, serviceAccountToken } from "./fixtures.ts";

const RBAC = "rbac.authorization.k8s.io";

describe("stand-in RBAC", () => {
  let standIn: StandIn;
  let viewer: string;
  const status = async (token: string, path: string, method = "GET") =>
    (await kubeRequest(standIn, path, { token, method, body: method === "POST" ? {} : undefined })).status;

  before(async () => {
    standIn = await startStandIn();
    ensureNamespace(standIn, "team-a");
    ensureNamespace(standIn, "team-b");
    viewer = await serviceAccountToken(standIn, "team-a", "viewer", { clusterRole: "view" });
  });
  after(() => standIn.close());

  it("view reads pods, logs and config maps in its namespace only, and never secrets", async () => {
    assert.equal(await status(viewer, "/api/v1/namespaces/team-a/pods"), 200);
    assert.equal(await status(viewer, "/api/v1/namespaces/team-a/configmaps"), 200);
    assert.equal(await status(viewer, "/api/v1/namespaces/team-a"), 200, "a namespace may read itself");
    assert.equal(await status(viewer, "/api/v1/namespaces/team-b/pods"), 403);
    assert.equal(await status(viewer, "/api/v1/pods"), 403, "cluster-wide list needs a cluster binding");
    const secrets = await kubeRequest(standIn, "/api/v1/namespaces/team-a/secrets", { token: viewer });
    assert.equal(secrets.status, 403);
    assert.deepEqual(secrets.json(), {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message:
        'secrets is forbidden: User "system:serviceaccount:team-a:viewer" cannot list resource "secrets" in API group "" in the namespace "team-a"',
      reason: "Forbidden",
      details: { kind: "secrets" },
      code: 403,
    });
    const named = await kubeRequest(standIn, "/api/v1/namespaces/team-a/secrets/db", { token: viewer });
    assert.equal(
      named.json().message,
      'secrets "db" is forbidden: User "system:serviceaccount:team-a:viewer" cannot get resource "secrets" in API group "" in the namespace "team-a"',
    );
    const clusterScoped = await kubeRequest(standIn, "/api/v1/nodes", { token: viewer });
    assert.match(
      clusterScoped.json<{ message: string }>().message,
      /cannot list resource "nodes" in API group "" at the cluster scope$/,
    );
    const path = await kubeRequest(standIn, "/metrics", { token: viewer });
    assert.equal(
      path.json().message,
      'forbidden: User "system:serviceaccount:team-a:viewer" cannot get path "/metrics"',
    );
  });

  it("edit writes config maps and execs; admin also manages roles and bindings", async () => {
    const editor = await serviceAccountToken(standIn, "team-a", "editor", { clusterRole: "edit" });
    const admin = await serviceAccountToken(standIn, "team-a", "nsadmin", { clusterRole: "admin" });
    const review = async (token: string, attributes: Record<string, string>) => {
      const res = await kubeRequest(standIn, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
        method: "POST",
        token,
        body: {
          kind: "SelfSubjectAccessReview",
          apiVersion: "authorization.k8s.io/v1",
          spec: { resourceAttributes: { namespace: "team-a", ...attributes } },
        },
      });
      return res.json<{ status: { allowed: boolean } }>().status.allowed;
    };
    assert.equal(await review(editor, { verb: "create", resource: "configmaps" }), true);
    assert.equal(await review(editor, { verb: "create", resource: "pods", subresource: "exec" }), true);
    assert.equal(await review(editor, { verb: "get", resource: "secrets" }), true);
    assert.equal(await review(editor, { verb: "create", resource: "rolebindings", group: RBAC }), false);
    assert.equal(await review(admin, { verb: "create", resource: "rolebindings", group: RBAC }), true);
    assert.equal(await review(viewer, { verb: "create", resource: "pods", subresource: "exec" }), false);
    assert.equal(await review(viewer, { verb: "get", resource: "pods", subresource: "log" }), true);
  });

  it("matches resourceNames, */subresource, group subjects and nonResourceURL prefixes", async () => {
    standIn.store.create({
      kind: "ClusterRole",
      metadata: { name: "custom" },
      rules: [
        { verbs: ["get", "list"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["allowed"] },
        { verbs: ["get"], apiGroups: ["*"], resources: ["*/log"] },
        { verbs: ["get"], nonResourceURLs: ["/logs/*"] },
      ],
    });
    standIn.store.create({
      kind: "ClusterRoleBinding",
      metadata: { name: "custom" },
      roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "custom" },
      subjects: [{ kind: "Group", name: "system:serviceaccounts:team-b" }],
    });
    const token = await serviceAccountToken(standIn, "team-b", "grouped");
    assert.equal(
      await status(token, "/api/v1/namespaces/team-a/configmaps/allowed"),
      404,
      "allowed, then not found",
    );
    assert.equal(await status(token, "/api/v1/namespaces/team-a/configmaps/other"), 403);
    assert.equal(
      await status(token, "/api/v1/namespaces/team-a/configmaps"),
      403,
      "list has no name to match",
    );
    assert.equal(
      await status(token, "/api/v1/namespaces/team-a/configmaps?fieldSelector=metadata.name%3Dallowed"),
      200,
    );
    assert.equal(await status(token, "/api/v1/namespaces/team-a/pods/x/log"), 404, "*/log matches pods/log");
    assert.equal(await status(token, "/api/v1/namespaces/team-a/pods/x"), 403);
    assert.equal(await status(token, "/logs/kube-apiserver.log"), 404, "/logs/* matches, then no such path");
    const review = await asAdmin(standIn, "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
      method: "POST",
      body: {
        kind: "SubjectAccessReview",
        apiVersion: "authorization.k8s.io/v1",
        spec: {
          user: "someone",
          groups: ["system:serviceaccounts:team-b"],
          nonResourceAttributes: { path: "/logs/x", verb: "get" },
        },
      },
    });
    assert.deepEqual(review.json<{ status: unknown }>().status, {
      allowed: true,
      reason:
        'RBAC: allowed by ClusterRoleBinding "custom" of ClusterRole "custom" to Group "system:serviceaccounts:team-b"',
    });
  });

  it("scopes a RoleBinding to its namespace and reports a missing role in the denial", async () => {
    standIn.store.create({
      kind: "RoleBinding",
      metadata: { name: "dangling", namespace: "team-b" },
      roleRef: { apiGroup: RBAC, kind: "Role", name: "does-not-exist" },
      subjects: [{ kind: "User", name: "alice" }],
    });
    const review = await asAdmin(standIn, "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
      method: "POST",
      body: {
        kind: "SubjectAccessReview",
        apiVersion: "authorization.k8s.io/v1",
        spec: { user: "alice", resourceAttributes: { namespace: "team-b", verb: "get", resource: "pods" } },
      },
    });
    assert.deepEqual(review.json<{ status: unknown }>().status, {
      allowed: false,
      reason: 'RBAC: role.rbac.authorization.k8s.io "does-not-exist" not found',
    });
  });

  it("binds User subjects and answers LocalSubjectAccessReview in its own namespace only", async () => {
    standIn.store.create({
      kind: "RoleBinding",
      metadata: { name: "alice-views", namespace: "team-a" },
      roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "view" },
      subjects: [{ kind: "User", name: "alice" }],
    });
    const review = (namespace: string, attributesNamespace: string) =>
      asAdmin(standIn, `/apis/authorization.k8s.io/v1/namespaces/${namespace}/localsubjectaccessreviews`, {
        method: "POST",
        body: {
          kind: "LocalSubjectAccessReview",
          apiVersion: "authorization.k8s.io/v1",
          spec: {
            user: "alice",
            resourceAttributes: { namespace: attributesNamespace, verb: "list", resource: "pods" },
          },
        },
      });
    const allowed = await review("team-a", "team-a");
    assert.deepEqual(allowed.json<{ status: unknown }>().status, {
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "alice-views/team-a" of ClusterRole "view" to User "alice"',
    });
    assert.equal((await review("team-a", "team-b")).status, 422);
  });

  it("lets every authenticated user discover the API, check itself and read /version", async () => {
    const nobody = await serviceAccountToken(standIn, "team-b", "nobody");
    for (const path of [
      "/api",
      "/api/v1",
      "/apis",
      "/apis/rbac.authorization.k8s.io/v1",
      "/version",
      "/healthz",
    ]) {
      assert.equal(await status(nobody, path), 200, path);
    }
    assert.equal(await status(nobody, "/apis/authentication.k8s.io/v1/selfsubjectreviews", "POST"), 201);
    assert.equal(await status(nobody, "/api/v1/namespaces/team-b/pods"), 403);
  });
});
