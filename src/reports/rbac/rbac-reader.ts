/**
 * What the RBAC report reads from a cluster. The reports feature owns this interface;
 * src/cluster implements it on @kubernetes/client-node (and tests use fixtures). The shapes
 * are the API's own, cut to the fields the findings look at.
 */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Meta {
  name: string;
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface ClusterRole {
  metadata: Meta;
  rules: PolicyRule[];
  aggregationRule?: { clusterRoleSelectors?: LabelSelector[] };
}

export interface Role {
  metadata: Meta;
  rules: PolicyRule[];
}

export interface Subject {
  kind: "User" | "Group" | "ServiceAccount";
  name: string;
  /** ServiceAccounts only. */
  namespace?: string;
}

export interface Binding {
  kind: "ClusterRoleBinding" | "RoleBinding";
  metadata: Meta;
  roleRef: { kind: "ClusterRole" | "Role"; name: string };
  subjects: Subject[];
}

/** Either what was read, or why that part of the scan could not be done (a 403). */
export type Readable<T> = { items: T[] } | { skipped: string };

export interface RbacSnapshot {
  clusterRoles: ClusterRole[];
  roles: Role[];
  clusterRoleBindings: Binding[];
  roleBindings: Binding[];
  serviceAccounts: { metadata: Meta }[];
  /**
   * Secrets of type kubernetes.io/service-account-token, metadata only (never their data):
   * listing Secrets is an opt-in permission (deploy/components/secret-metadata).
   */
  tokenSecrets: Readable<{ metadata: Meta }>;
}

export interface RbacReader {
  /** Everything the report looks at, read at about the same time. */
  readRbac(): Promise<RbacSnapshot>;
}
