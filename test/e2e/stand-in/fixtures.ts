/** Shared set-up for the stand-in's own tests: identities bound to roles, and short-hand requests. */
import { type KubeRequest, type KubeResponse, kubeRequest } from "../../../tools/stand-in/client.ts";
import type { StandIn } from "../../../tools/stand-in/index.ts";

/** Creates a ServiceAccount bound to `role` in `namespace` (a ClusterRole unless told) and returns its token. */
export async function serviceAccountToken(
  standIn: StandIn,
  namespace: string,
  name: string,
  role?: { clusterRole?: string; role?: string; scope?: "namespace" | "cluster" },
  tokenOptions: Parameters<StandIn["issueToken"]>[2] = {},
): Promise<string> {
  if (!standIn.store.find("serviceaccounts", { namespace, name })) {
    standIn.store.create({ kind: "ServiceAccount", metadata: { name, namespace } });
  }
  if (role) {
    const roleRef = role.role
      ? { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.role }
      : { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.clusterRole ?? "view" };
    const subjects = [{ kind: "ServiceAccount", name, namespace }];
    const binding = `${name}-${roleRef.name}`.replaceAll(":", "-");
    if (role.scope === "cluster") {
      standIn.store.create({ kind: "ClusterRoleBinding", metadata: { name: binding }, roleRef, subjects });
    } else {
      standIn.store.create({
        kind: "RoleBinding",
        metadata: { name: binding, namespace },
        roleRef,
        subjects,
      });
    }
  }
  return standIn.issueToken(namespace, name, tokenOptions);
}

/** A request as the admin unless another token is given. */
export function asAdmin(standIn: StandIn, path: string, options: KubeRequest = {}): Promise<KubeResponse> {
  return kubeRequest(standIn, path, { token: standIn.adminToken, ...options });
}

export function ensureNamespace(standIn: StandIn, name: string): void {
  if (!standIn.store.find("namespaces", { name }))
    standIn.store.create({ kind: "Namespace", metadata: { name } });
}

export function pod(
  namespace: string,
  name: string,
  labels: Record<string, string> = {},
  serviceAccount = "default",
) {
  return {
    kind: "Pod",
    metadata: { name, namespace, labels },
    spec: { serviceAccountName: serviceAccount, containers: [{ name: "main", image: "busybox:1.36" }] },
  };
}
