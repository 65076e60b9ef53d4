import type { RoleConfig } from "../config/schema.ts";
import { BrokerError, Invalid } from "../shared/errors.ts";
import type { ClusterApi, ObjectMeta, RoleRef } from "./cluster-api.ts";
import { type Grant, grantAnnotations, grantLabels } from "./grant.ts";

export function roleRefOf(role: RoleConfig): RoleRef {
  return role.clusterRole
    ? { kind: "ClusterRole", name: role.clusterRole }
    : { kind: "Role", name: role.role! };
}

/**
 * Creates a grant's objects all-or-nothing: the ServiceAccount, then one RoleBinding per
 * namespace (or one ClusterRoleBinding). If any step fails, everything this grant may have
 * created is deleted before the error is rethrown, so no partial access is ever left behind.
 * Returns the ServiceAccount's UID.
 */
export async function provision(api: ClusterApi, grant: Grant, role: RoleConfig): Promise<string> {
  const roleRef = roleRefOf(role);
  const meta = objectMeta(grant);
  try {
    await assertRoleExists(api, roleRef, grant);
    const { uid } = await api.createServiceAccount(grant.serviceAccount.namespace, meta);
    if (grant.clusterWide) {
      await api.createClusterRoleBinding(meta, roleRef, grant.serviceAccount);
    } else {
      for (const namespace of grant.namespaces) {
        await api.createRoleBinding(namespace, meta, roleRef, grant.serviceAccount);
      }
    }
    return uid;
  } catch (err) {
    await deprovision(api, grant).catch(() => {
      // The reconciler removes whatever is left; the caller must see the original failure.
    });
    throw err;
  }
}

/** The name, labels and annotations every object of the grant carries. */
export function objectMeta(grant: Grant): ObjectMeta {
  return {
    name: grant.serviceAccount.name,
    labels: grantLabels(grant),
    annotations: grantAnnotations(grant),
  };
}

/** Deletes a grant's bindings, then its ServiceAccount (which kills all its tokens). Idempotent. */
export async function deprovision(api: ClusterApi, grant: Grant): Promise<void> {
  const name = grant.serviceAccount.name;
  if (grant.clusterWide) await api.deleteClusterRoleBinding(name);
  else await Promise.all(grant.namespaces.map((namespace) => api.deleteRoleBinding(namespace, name)));
  await api.deleteServiceAccount(grant.serviceAccount);
}

async function assertRoleExists(api: ClusterApi, roleRef: RoleRef, grant: Grant): Promise<void> {
  const namespaces = roleRef.kind === "Role" ? grant.namespaces : [undefined];
  for (const namespace of namespaces) {
    if (!(await api.roleExists(roleRef, namespace))) {
      const where = namespace ? ` in namespace "${namespace}"` : "";
      throw new Invalid(
        `${roleRef.kind} "${roleRef.name}"${where} does not exist in cluster "${grant.cluster}"`,
      );
    }
  }
}

/** The message a caller sees when provisioning fails: the cluster's own words when it gave some. */
export function provisionFailure(err: unknown): string {
  return err instanceof BrokerError ? err.message : "the cluster could not be reached";
}
