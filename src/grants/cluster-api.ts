/**
 * What the grants feature needs from a Kubernetes cluster. The feature owns this interface;
 * src/cluster implements it on @kubernetes/client-node and tests use a fake. Failures are
 * thrown as the product's typed errors with the cluster's message kept.
 */
export interface RoleRef {
  kind: "ClusterRole" | "Role";
  name: string;
}

export interface ObjectMeta {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

/** An object as the API addresses it: group ("" for core), version, resource, where, which. */
export interface ObjectRef {
  apiGroup: string;
  apiVersion: string;
  resource: string;
  namespace: string;
  name: string;
}

export type ManagedKind = "ServiceAccount" | "RoleBinding" | "ClusterRoleBinding";

export interface ManagedObject {
  kind: ManagedKind;
  /** Empty for ClusterRoleBindings. */
  namespace: string;
  name: string;
  uid: string;
  /** The value of the kube-broker.io/grant label. */
  grantId: string;
}

export interface IssuedToken {
  token: string;
  /** When the API server says the token expires (ms). */
  expiresAt: number;
}

export interface ClusterApi {
  createServiceAccount(namespace: string, meta: ObjectMeta): Promise<{ uid: string }>;
  createRoleBinding(
    namespace: string,
    meta: ObjectMeta,
    roleRef: RoleRef,
    subject: ServiceAccountRef,
  ): Promise<void>;
  createClusterRoleBinding(meta: ObjectMeta, roleRef: RoleRef, subject: ServiceAccountRef): Promise<void>;
  /** Whether the role a binding would point at exists (a binding to a missing role grants nothing). */
  roleExists(roleRef: RoleRef, namespace?: string): Promise<boolean>;
  requestToken(
    account: ServiceAccountRef,
    options: { audiences: string[]; expirationSeconds: number },
  ): Promise<IssuedToken>;
  /** Deletes are idempotent: an object that is already gone is not an error. */
  deleteServiceAccount(account: ServiceAccountRef): Promise<void>;
  deleteRoleBinding(namespace: string, name: string): Promise<void>;
  deleteClusterRoleBinding(name: string): Promise<void>;
  /** Every object carrying the managed-by label: SAs in the grants namespace, all bindings. */
  listManaged(grantsNamespace: string): Promise<ManagedObject[]>;
  /** The names of the cluster's namespaces (for grants that follow namespace patterns). */
  listNamespaces(): Promise<string[]>;
  /** Deletes any object by its API coordinates (what a grant created); idempotent. */
  deleteObject(object: ObjectRef): Promise<void>;
}
