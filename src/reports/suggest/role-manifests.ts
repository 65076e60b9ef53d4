import type { PolicyRule } from "../rbac/index.ts";

/** Whom the suggested bindings bind: a placeholder by default, which the person replaces. */
export type BindSubject =
  | { kind: "User"; name: string }
  | { kind: "ServiceAccount"; namespace: string; name: string };

export const PLACEHOLDER_SUBJECT: BindSubject = { kind: "User", name: "REPLACE-WITH-SUBJECT" };

export interface ManifestInput {
  name: string;
  /** Rules used inside namespaces, bound in each of `namespaces`. */
  rules: PolicyRule[];
  namespaces: string[];
  /** Rules used outside any namespace (cluster-scoped resources, all-namespace lists). */
  clusterRules: PolicyRule[];
  bindTo: BindSubject;
  /** Where the role came from, as an annotation on every object. */
  origin: string;
}

const RBAC = "rbac.authorization.k8s.io";
const RBAC_V1 = `${RBAC}/v1`;
/**
 * Not kube-broker's managed-by label: the reconciler deletes objects carrying it whose grant
 * has ended, and these are the cluster owner's once applied.
 */
const ORIGIN_ANNOTATION = "kube-broker.io/suggested-from";

/**
 * The objects to `kubectl apply`: a Role when everything happened in one namespace, else a
 * ClusterRole bound by a RoleBinding in each namespace used; rules used outside namespaces in
 * a ClusterRole of their own (`<name>-cluster` beside a namespaced part) bound cluster-wide,
 * so namespaced rules never spread to every namespace.
 */
export function roleManifests(input: ManifestInput): object[] {
  const items: object[] = [];
  const meta = (name: string, namespace?: string) => ({
    name,
    ...(namespace ? { namespace } : {}),
    annotations: { [ORIGIN_ANNOTATION]: input.origin },
  });
  const subjects = [subjectOf(input.bindTo)];
  if (input.rules.length > 0) {
    const single = input.namespaces.length === 1 && input.clusterRules.length === 0;
    const kind = single ? "Role" : "ClusterRole";
    items.push({
      apiVersion: RBAC_V1,
      kind,
      metadata: meta(input.name, single ? input.namespaces[0] : undefined),
      rules: input.rules,
    });
    for (const namespace of input.namespaces)
      items.push({
        apiVersion: RBAC_V1,
        kind: "RoleBinding",
        metadata: meta(input.name, namespace),
        roleRef: { apiGroup: RBAC, kind, name: input.name },
        subjects,
      });
  }
  if (input.clusterRules.length > 0) {
    const name = input.rules.length > 0 ? `${input.name}-cluster` : input.name;
    items.push(
      { apiVersion: RBAC_V1, kind: "ClusterRole", metadata: meta(name), rules: input.clusterRules },
      {
        apiVersion: RBAC_V1,
        kind: "ClusterRoleBinding",
        metadata: meta(name),
        roleRef: { apiGroup: RBAC, kind: "ClusterRole", name },
        subjects,
      },
    );
  }
  return items;
}

/** The ClusterRole behind a broker role: the broker makes the bindings of each grant itself. */
export function brokerClusterRole(name: string, rules: PolicyRule[], origin: string): object {
  return {
    apiVersion: RBAC_V1,
    kind: "ClusterRole",
    metadata: { name, annotations: { [ORIGIN_ANNOTATION]: origin } },
    rules,
  };
}

function subjectOf(subject: BindSubject): object {
  return subject.kind === "User" ? { apiGroup: RBAC, kind: "User", name: subject.name } : { ...subject };
}
