import {
  CoreV1Api,
  type KubeConfig,
  RbacAuthorizationV1Api,
  type V1ClusterRoleBinding,
  type V1ObjectMeta,
  type V1RoleBinding,
} from "@kubernetes/client-node";
import {
  type ClusterApi,
  GRANT_LABEL,
  type IssuedToken,
  MANAGED_SELECTOR,
  type ManagedKind,
  type ManagedObject,
  type ObjectMeta,
  type ObjectRef,
  type RoleRef,
  type ServiceAccountRef,
} from "../grants/index.ts";
import { deleteObject } from "./delete-object.ts";
import { fromKubeError, isNotFound } from "./kube-errors.ts";
import { listMetadata } from "./metadata-list.ts";

/** The grants feature's ClusterApi on @kubernetes/client-node 2 for one cluster. */
export class KubernetesCluster implements ClusterApi {
  readonly #name: string;
  readonly #kubeConfig: KubeConfig;
  readonly #core: CoreV1Api;
  readonly #rbac: RbacAuthorizationV1Api;

  constructor(options: { name: string; kubeConfig: KubeConfig }) {
    this.#name = options.name;
    this.#kubeConfig = options.kubeConfig;
    this.#core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.#rbac = options.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  }

  async createServiceAccount(namespace: string, meta: ObjectMeta): Promise<{ uid: string }> {
    const created = await this.#call(`create ServiceAccount ${namespace}/${meta.name}`, () =>
      this.#core.createNamespacedServiceAccount({ namespace, body: { metadata: { ...meta, namespace } } }),
    );
    return { uid: created.metadata?.uid ?? "" };
  }

  async createRoleBinding(namespace: string, meta: ObjectMeta, roleRef: RoleRef, subject: ServiceAccountRef) {
    const body: V1RoleBinding = { metadata: { ...meta, namespace }, ...bindingSpec(roleRef, subject) };
    await this.#call(`create RoleBinding ${namespace}/${meta.name}`, () =>
      this.#rbac.createNamespacedRoleBinding({ namespace, body }),
    );
  }

  async createClusterRoleBinding(meta: ObjectMeta, roleRef: RoleRef, subject: ServiceAccountRef) {
    const body: V1ClusterRoleBinding = { metadata: meta, ...bindingSpec(roleRef, subject) };
    await this.#call(`create ClusterRoleBinding ${meta.name}`, () =>
      this.#rbac.createClusterRoleBinding({ body }),
    );
  }

  async roleExists(roleRef: RoleRef, namespace?: string): Promise<boolean> {
    const read =
      roleRef.kind === "ClusterRole"
        ? () => this.#rbac.readClusterRole({ name: roleRef.name })
        : () => this.#rbac.readNamespacedRole({ name: roleRef.name, namespace: namespace ?? "" });
    try {
      await read();
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw fromKubeError(err, this.#name, `read ${roleRef.kind} ${roleRef.name}`);
    }
  }

  async requestToken(
    account: ServiceAccountRef,
    options: { audiences: string[]; expirationSeconds: number },
  ): Promise<IssuedToken> {
    const response = await this.#call(
      `issue a token for ServiceAccount ${account.namespace}/${account.name}`,
      () =>
        this.#core.createNamespacedServiceAccountToken({
          name: account.name,
          namespace: account.namespace,
          body: {
            apiVersion: "authentication.k8s.io/v1",
            kind: "TokenRequest",
            spec: { audiences: options.audiences, expirationSeconds: options.expirationSeconds },
          },
        }),
    );
    const token = response.status?.token;
    const expiresAt = response.status?.expirationTimestamp;
    if (!token || !expiresAt)
      throw fromKubeError(new Error("empty TokenRequest status"), this.#name, "issue a token");
    return { token, expiresAt: new Date(expiresAt).getTime() };
  }

  deleteServiceAccount(account: ServiceAccountRef): Promise<void> {
    return this.#delete(`delete ServiceAccount ${account.namespace}/${account.name}`, () =>
      this.#core.deleteNamespacedServiceAccount({ name: account.name, namespace: account.namespace }),
    );
  }

  deleteRoleBinding(namespace: string, name: string): Promise<void> {
    return this.#delete(`delete RoleBinding ${namespace}/${name}`, () =>
      this.#rbac.deleteNamespacedRoleBinding({ name, namespace }),
    );
  }

  deleteClusterRoleBinding(name: string): Promise<void> {
    return this.#delete(`delete ClusterRoleBinding ${name}`, () =>
      this.#rbac.deleteClusterRoleBinding({ name }),
    );
  }

  async listManaged(grantsNamespace: string): Promise<ManagedObject[]> {
    const query = { labelSelector: MANAGED_SELECTOR };
    const list = (kind: ManagedKind, action: string, path: string) =>
      this.#call(action, () =>
        listMetadata(this.#kubeConfig, path, query, (metadata) => managed(kind, metadata)),
      );
    const lists = await Promise.all([
      list("ServiceAccount", "list ServiceAccounts", `/api/v1/namespaces/${grantsNamespace}/serviceaccounts`),
      list("RoleBinding", "list RoleBindings", "/apis/rbac.authorization.k8s.io/v1/rolebindings"),
      list(
        "ClusterRoleBinding",
        "list ClusterRoleBindings",
        "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
      ),
    ]);
    return lists.flat();
  }

  deleteObject(object: ObjectRef): Promise<void> {
    return deleteObject(this.#kubeConfig, object);
  }

  async listNamespaces(): Promise<string[]> {
    const list = await this.#call("list Namespaces", () => this.#core.listNamespace({}));
    return list.items.map((n) => n.metadata?.name ?? "").filter(Boolean);
  }

  async #call<T>(action: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw fromKubeError(err, this.#name, action);
    }
  }

  async #delete(action: string, request: () => Promise<unknown>): Promise<void> {
    try {
      await request();
    } catch (err) {
      if (!isNotFound(err)) throw fromKubeError(err, this.#name, action);
    }
  }
}

function bindingSpec(roleRef: RoleRef, subject: ServiceAccountRef) {
  return {
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: roleRef.kind, name: roleRef.name },
    subjects: [{ kind: "ServiceAccount", name: subject.name, namespace: subject.namespace }],
  };
}

function managed(kind: ManagedKind, metadata: V1ObjectMeta | undefined): ManagedObject {
  return {
    kind,
    namespace: metadata?.namespace ?? "",
    name: metadata?.name ?? "",
    uid: metadata?.uid ?? "",
    grantId: metadata?.labels?.[GRANT_LABEL] ?? "",
  };
}
