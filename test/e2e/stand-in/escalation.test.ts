import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { kubeRequest } from "../../../tools/stand-in/client.ts";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { ensureNamespace, serviceAccountToken } from "./fixtures.ts";

const RBAC = "rbac.authorization.k8s.io";

/** What the broker itself is granted (deploy/): manage SAs and bindings, bind only view and edit. */
const BROKER_RULES = [
  { verbs: ["create", "delete", "get"], apiGroups: [""], resources: ["serviceaccounts"] },
  { verbs: ["create"], apiGroups: [""], resources: ["serviceaccounts/token"] },
  {
    verbs: ["create", "delete", "get"],
    apiGroups: [RBAC],
    resources: ["rolebindings", "clusterrolebindings"],
  },
  { verbs: ["bind"], apiGroups: [RBAC], resources: ["clusterroles"], resourceNames: ["view", "edit"] },
];

describe("stand-in RBAC escalation prevention", () => {
  let standIn: StandIn;
  let broker: string;

  const roleBinding = (
    token: string,
    namespace: string,
    name: string,
    roleRef: { kind: string; name: string },
  ) =>
    kubeRequest(standIn, `/apis/${RBAC}/v1/namespaces/${namespace}/rolebindings`, {
      method: "POST",
      token,
      body: {
        apiVersion: `${RBAC}/v1`,
        kind: "RoleBinding",
        metadata: { name },
        roleRef: { apiGroup: RBAC, ...roleRef },
        subjects: [{ kind: "ServiceAccount", name: "grantee", namespace }],
      },
    });

  before(async () => {
    standIn = await startStandIn();
    ensureNamespace(standIn, "kube-broker");
    ensureNamespace(standIn, "team-a");
    standIn.store.create({ kind: "ClusterRole", metadata: { name: "kube-broker" }, rules: BROKER_RULES });
    broker = await serviceAccountToken(standIn, "kube-broker", "kube-broker", {
      clusterRole: "kube-broker",
      scope: "cluster",
    });
  });
  after(() => standIn.close());

  it("lets a binder without the role's permissions bind exactly the roles its bind rule names", async () => {
    const view = await roleBinding(broker, "team-a", "grant-view", { kind: "ClusterRole", name: "view" });
    assert.equal(view.status, 201, view.text);
    const edit = await roleBinding(broker, "team-a", "grant-edit", { kind: "ClusterRole", name: "edit" });
    assert.equal(edit.status, 201, edit.text);
  });

  it("refuses to bind a role whose permissions it does not hold and may not bind", async () => {
    const res = await roleBinding(broker, "team-a", "grant-admin", {
      kind: "ClusterRole",
      name: "cluster-admin",
    });
    assert.equal(res.status, 403);
    assert.equal(res.json().reason, "Forbidden");
    const groups = '["system:serviceaccounts" "system:serviceaccounts:kube-broker" "system:authenticated"]';
    assert.equal(
      res.json().message,
      `rolebindings.rbac.authorization.k8s.io "grant-admin" is forbidden: user "system:serviceaccount:kube-broker:kube-broker" (groups=${groups}) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}`,
    );
    assert.equal(standIn.store.find("rolebindings", { namespace: "team-a", name: "grant-admin" }), undefined);
  });

  it("answers 404 for a missing role without bind, and creates the binding with an unrestricted bind", async () => {
    const missing = await roleBinding(broker, "team-a", "ghost", { kind: "ClusterRole", name: "ghost" });
    assert.equal(missing.status, 404);
    assert.equal(missing.json().message, 'clusterroles.rbac.authorization.k8s.io "ghost" not found');
    standIn.store.create({
      kind: "ClusterRole",
      metadata: { name: "binder" },
      rules: [
        { verbs: ["create"], apiGroups: [RBAC], resources: ["rolebindings"] },
        { verbs: ["bind"], apiGroups: [RBAC], resources: ["clusterroles"] },
      ],
    });
    const binder = await serviceAccountToken(standIn, "team-a", "binder", { clusterRole: "binder" });
    const created = await roleBinding(binder, "team-a", "ghost", { kind: "ClusterRole", name: "ghost" });
    assert.equal(created.status, 201, "the real server does not check that roleRef exists");
  });

  it("allows a binding within what the writer holds, without bind", async () => {
    const lead = await serviceAccountToken(standIn, "team-a", "lead", { clusterRole: "admin" });
    const covered = await roleBinding(lead, "team-a", "lead-grants-view", {
      kind: "ClusterRole",
      name: "view",
    });
    assert.equal(covered.status, 201, covered.text);
    const elsewhere = await roleBinding(lead, "team-a", "lead-grants-broker", {
      kind: "ClusterRole",
      name: "kube-broker",
    });
    assert.equal(elsewhere.status, 403, "admin in team-a does not hold the broker's cluster-wide rules");
  });

  it("refuses roles that grant more than the writer holds unless it may escalate", async () => {
    const createRole = (token: string, name: string) =>
      kubeRequest(standIn, `/apis/${RBAC}/v1/namespaces/team-a/roles`, {
        method: "POST",
        token,
        body: {
          apiVersion: `${RBAC}/v1`,
          kind: "Role",
          metadata: { name },
          rules: [{ verbs: ["get", "list"], apiGroups: [""], resources: ["secrets"] }],
        },
      });
    standIn.store.create({
      kind: "ClusterRole",
      metadata: { name: "role-writer" },
      rules: [{ verbs: ["create"], apiGroups: [RBAC], resources: ["roles"] }],
    });
    const writer = await serviceAccountToken(standIn, "team-a", "writer", { clusterRole: "role-writer" });
    const refused = await createRole(writer, "secret-reader");
    assert.equal(refused.status, 403);
    assert.match(
      refused.json<{ message: string }>().message,
      /\{APIGroups:\[""\], Resources:\["secrets"\], Verbs:\["get" "list"\]\}$/,
    );
    standIn.store.create({
      kind: "ClusterRole",
      metadata: { name: "escalator" },
      rules: [{ verbs: ["create", "escalate"], apiGroups: [RBAC], resources: ["roles"] }],
    });
    const escalator = await serviceAccountToken(standIn, "team-a", "escalator", { clusterRole: "escalator" });
    assert.equal((await createRole(escalator, "secret-reader")).status, 201);
    assert.equal(
      (await createRole(standIn.adminToken, "by-admin")).status,
      201,
      "system:masters may do anything",
    );
  });
});
