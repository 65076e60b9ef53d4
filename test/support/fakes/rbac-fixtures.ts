import type { Binding, ClusterRole, RbacSnapshot, Role } from "../../../src/reports/rbac/rbac-reader.ts";
import type { KubeObject } from "../../../tools/stand-in/objects.ts";
import {
  BOOTSTRAP_CLUSTER_ROLE_BINDINGS,
  BOOTSTRAP_CLUSTER_ROLES,
} from "../../../tools/stand-in/rbac/bootstrap.ts";

/**
 * RBAC fixtures as Kubernetes manifests: the same objects seed the stand-in (end to end) and,
 * through snapshotOf, the unit tests of the findings. RISKY holds one case of every finding
 * docs/reports.md lists; the comment on each says which it should produce.
 */
const RBAC = "rbac.authorization.k8s.io";
const ns = (name: string): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
const sa = (namespace: string, name: string, labels?: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "ServiceAccount",
  metadata: { namespace, name, ...(labels ? { labels } : {}) },
});
const clusterRole = (name: string, rules: unknown[]): KubeObject => ({
  apiVersion: `${RBAC}/v1`,
  kind: "ClusterRole",
  metadata: { name },
  rules,
});
const role = (namespace: string, name: string, rules: unknown[]): KubeObject => ({
  apiVersion: `${RBAC}/v1`,
  kind: "Role",
  metadata: { namespace, name },
  rules,
});
type SubjectSpec =
  | { kind: "User" | "Group"; name: string }
  | { kind: "ServiceAccount"; name: string; namespace: string };
const subject = (s: SubjectSpec) => (s.kind === "ServiceAccount" ? s : { ...s, apiGroup: RBAC });
export const clusterBinding = (
  name: string,
  roleName: string,
  subjects: SubjectSpec[],
  labels?: Record<string, string>,
): KubeObject => ({
  apiVersion: `${RBAC}/v1`,
  kind: "ClusterRoleBinding",
  metadata: { name, ...(labels ? { labels } : {}) },
  roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: roleName },
  subjects: subjects.map(subject),
});
export const roleBinding = (
  namespace: string,
  name: string,
  roleRef: { kind: "ClusterRole" | "Role"; name: string },
  subjects: SubjectSpec[],
  labels?: Record<string, string>,
): KubeObject => ({
  apiVersion: `${RBAC}/v1`,
  kind: "RoleBinding",
  metadata: { namespace, name, ...(labels ? { labels } : {}) },
  roleRef: { apiGroup: RBAC, ...roleRef },
  subjects: subjects.map(subject),
});
const account = (namespace: string, name: string): SubjectSpec => ({
  kind: "ServiceAccount",
  namespace,
  name,
});
export const MANAGED = (grant: string) => ({
  "app.kubernetes.io/managed-by": "kube-broker",
  "kube-broker.io/grant": grant,
});

/** Namespaces and ServiceAccounts the risky bindings refer to. */
export const RISKY_SETUP: KubeObject[] = [
  ...["team-a", "team-b", "ci", "monitoring", "ops", "kube-broker-grants"].map(ns),
  sa("ci", "deployer"),
  sa("team-a", "tool"),
  sa("team-a", "impersonator"),
  sa("team-a", "minter"),
  sa("monitoring", "prometheus"),
  sa("ops", "rbac-manager"),
  sa("kube-broker-grants", "kb-gone-g0ne", MANAGED("g0ne")),
];

export const RISKY: KubeObject[] = [
  // critical cluster-admin
  clusterBinding("ci-admin", "cluster-admin", [account("ci", "deployer")]),
  // critical cluster-admin (a role with * verbs on * resources)
  clusterRole("god-mode", [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }]),
  roleBinding("team-a", "tool-god", { kind: "ClusterRole", name: "god-mode" }, [account("team-a", "tool")]),
  // critical everyone-bound (twice)
  clusterBinding("everyone-views", "view", [{ kind: "Group", name: "system:authenticated" }]),
  roleBinding("team-b", "anonymous-view", { kind: "ClusterRole", name: "view" }, [
    { kind: "User", name: "system:anonymous" },
  ]),
  // high escalate-or-bind
  clusterRole("role-manager", [
    { verbs: ["bind", "escalate", "get"], apiGroups: [RBAC], resources: ["clusterroles"] },
  ]),
  clusterBinding("rbac-manager", "role-manager", [account("ops", "rbac-manager")]),
  // high impersonate
  clusterRole("impersonator", [{ verbs: ["impersonate"], apiGroups: [""], resources: ["users", "groups"] }]),
  roleBinding("team-a", "impersonator", { kind: "ClusterRole", name: "impersonator" }, [
    account("team-a", "impersonator"),
  ]),
  // high create-token
  role("team-a", "token-minter", [
    { verbs: ["create"], apiGroups: [""], resources: ["serviceaccounts/token"] },
  ]),
  roleBinding("team-a", "token-minter", { kind: "Role", name: "token-minter" }, [
    account("team-a", "minter"),
  ]),
  // high secrets-cluster-wide, and medium third-party-cluster-power
  clusterRole("secret-reader", [
    { verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["secrets"] },
  ]),
  clusterBinding("prometheus-secrets", "secret-reader", [account("monitoring", "prometheus")]),
  // high exec-attach-node-proxy (edit also mints tokens and impersonates ServiceAccounts),
  // and drift direct-binding (a group)
  roleBinding("team-a", "developers-edit", { kind: "ClusterRole", name: "edit" }, [
    { kind: "Group", name: "developers" },
  ]),
  // high kube-system-workloads
  role("kube-system", "deployer", [
    { verbs: ["create", "get"], apiGroups: ["apps"], resources: ["deployments"] },
  ]),
  roleBinding("kube-system", "ci-deployer", { kind: "Role", name: "deployer" }, [account("ci", "deployer")]),
  // high wildcard
  role("team-b", "config-all", [{ verbs: ["*"], apiGroups: [""], resources: ["configmaps"] }]),
  roleBinding("team-b", "config-all", { kind: "Role", name: "config-all" }, [account("team-a", "tool")]),
  // medium dangling-subject
  roleBinding("team-a", "ghost-view", { kind: "ClusterRole", name: "view" }, [account("team-a", "ghost")]),
  // drift direct-binding (a person)
  roleBinding("team-b", "alice-view", { kind: "ClusterRole", name: "view" }, [
    { kind: "User", name: "alice@example.com" },
  ]),
  // drift orphaned-grant-object: labelled as kube-broker's, grant g0ne is not open
  roleBinding(
    "team-a",
    "kb-gone-g0ne",
    { kind: "ClusterRole", name: "view" },
    [account("kube-broker-grants", "kb-gone-g0ne")],
    MANAGED("g0ne"),
  ),
  // medium legacy-token
  {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/service-account-token",
    metadata: {
      namespace: "team-a",
      name: "tool-token",
      annotations: { "kubernetes.io/service-account.name": "tool" },
      labels: { "kubernetes.io/legacy-token-last-used": "2025-01-02" },
    },
  },
];

/** The check of each finding RISKY produces, and how many of it. */
export const RISKY_CHECKS: Record<string, number> = {
  "cluster-admin": 2,
  "everyone-bound": 2,
  "escalate-or-bind": 1,
  impersonate: 2,
  "create-token": 2,
  "secrets-cluster-wide": 1,
  "exec-attach-node-proxy": 1,
  "kube-system-workloads": 1,
  wildcard: 1,
  "third-party-cluster-power": 2,
  "dangling-subject": 1,
  "legacy-token": 1,
  "direct-binding": 2,
  "orphaned-grant-object": 2,
};

/** A fresh cluster's defaults: the stand-in's bootstrap roles and bindings. */
export const DEFAULTS: KubeObject[] = [
  ...["default", "kube-system", "kube-public", "kube-node-lease"].map(ns),
  ...BOOTSTRAP_CLUSTER_ROLES,
  ...BOOTSTRAP_CLUSTER_ROLE_BINDINGS,
];

/** The snapshot the cluster adapter would read from these objects (secret data left out). */
export function snapshotOf(objects: KubeObject[], options: { secrets?: boolean } = {}): RbacSnapshot {
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  const binding = (o: KubeObject) =>
    ({
      kind: o.kind,
      metadata: o.metadata,
      roleRef: o.roleRef,
      subjects: o.subjects ?? [],
    }) as unknown as Binding;
  return {
    clusterRoles: of("ClusterRole").map((o) => ({ ...o, rules: o.rules ?? [] }) as unknown as ClusterRole),
    roles: of("Role") as unknown as Role[],
    clusterRoleBindings: of("ClusterRoleBinding").map(binding),
    roleBindings: of("RoleBinding").map(binding),
    serviceAccounts: of("ServiceAccount").map((o) => ({ metadata: o.metadata as never })),
    tokenSecrets:
      options.secrets === false
        ? { skipped: "the broker may not list Secrets" }
        : {
            items: of("Secret")
              .filter((o) => o.type === "kubernetes.io/service-account-token")
              .map((o) => ({
                metadata: { creationTimestamp: "2024-01-01T00:00:00Z", ...o.metadata } as never,
              })),
          },
  };
}

/** How many findings of each check a report has: what RISKY_CHECKS is compared with. */
export function countChecks(findings: { check: string }[]): Record<string, number> {
  const byCheck: Record<string, number> = {};
  for (const f of findings) byCheck[f.check] = (byCheck[f.check] ?? 0) + 1;
  return byCheck;
}
