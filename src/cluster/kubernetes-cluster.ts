import type {
  AuthenticationV1TokenRequest,
  V1ClusterRoleBinding,
  V1ObjectMeta,
  V1RoleBinding,
  V1ServiceAccount,
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
import type { KubeConnection } from "./kube-connection.ts";
import { fromKubeError, isNotFound } from "./kube-errors.ts";
import { kubeJson } from "./kube-request.ts";
import { listMetadata } from "./paged-list.ts";

const RBAC = "/apis/rbac.authorization.k8s.io/v1";
const segment = encodeURIComponent;

/**
 * The grants feature's ClusterApi for one cluster: the API server's REST calls, made with the
 * broker's own credentials over connections it keeps (kube-connection.ts), bodies typed by
 * client-node's models (types only: its generated code is never loaded for these).
 */
export class KubernetesCluster implements ClusterApi {
  readonly #name: string;
  readonly #connection: KubeConnection;

  constructor(options: { name: string; connection: KubeConnection }) {
    this.#name = options.name;
    this.#connection = options.connection;
  }

  async createServiceAccount(namespace: string, meta: ObjectMeta): Promise<{ uid: string }> {
    const body: V1ServiceAccount = {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { ...meta, namespace },
    };
    const created = await this.#call<V1ServiceAccount>(
      `create ServiceAccount ${namespace}/${meta.name}`,
      "POST",
      `/api/v1/namespaces/${segment(namespace)}/serviceaccounts`,
      body,
    );
    return { uid: created.metadata?.uid ?? "" };
  }

  async createRoleBinding(namespace: string, meta: ObjectMeta, roleRef: RoleRef, subject: ServiceAccountRef) {
    const body: V1RoleBinding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { ...meta, namespace },
      ...bindingSpec(roleRef, subject),
    };
    await this.#call(
      `create RoleBinding ${namespace}/${meta.name}`,
      "POST",
      `${RBAC}/namespaces/${segment(namespace)}/rolebindings`,
      body,
    );
  }

  async createClusterRoleBinding(meta: ObjectMeta, roleRef: RoleRef, subject: ServiceAccountRef) {
    const body: V1ClusterRoleBinding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: meta,
      ...bindingSpec(roleRef, subject),
    };
    await this.#call(`create ClusterRoleBinding ${meta.name}`, "POST", `${RBAC}/clusterrolebindings`, body);
  }

  async roleExists(roleRef: RoleRef, namespace?: string): Promise<boolean> {
    const path =
      roleRef.kind === "ClusterRole"
        ? `${RBAC}/clusterroles/${segment(roleRef.name)}`
        : `${RBAC}/namespaces/${segment(namespace ?? "")}/roles/${segment(roleRef.name)}`;
    try {
      await kubeJson(this.#connection, "GET", path);
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
    const body: AuthenticationV1TokenRequest = {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { audiences: options.audiences, expirationSeconds: options.expirationSeconds },
    };
    const response = await this.#call<AuthenticationV1TokenRequest>(
      `issue a token for ServiceAccount ${account.namespace}/${account.name}`,
      "POST",
      `/api/v1/namespaces/${segment(account.namespace)}/serviceaccounts/${segment(account.name)}/token`,
      body,
    );
    const token = response.status?.token;
    const expiresAt = response.status?.expirationTimestamp;
    if (!token || !expiresAt)
      throw fromKubeError(new Error("empty TokenRequest status"), this.#name, "issue a token");
    return { token, expiresAt: new Date(expiresAt).getTime() };
  }

  deleteServiceAccount(account: ServiceAccountRef): Promise<void> {
    const { namespace, name } = account;
    return this.deleteObject({
      apiGroup: "",
      apiVersion: "v1",
      resource: "serviceaccounts",
      namespace,
      name,
    });
  }

  deleteRoleBinding(namespace: string, name: string): Promise<void> {
    return this.deleteObject({ ...RBAC_REF, resource: "rolebindings", namespace, name });
  }

  deleteClusterRoleBinding(name: string): Promise<void> {
    return this.deleteObject({ ...RBAC_REF, resource: "clusterrolebindings", namespace: "", name });
  }

  async listManaged(grantsNamespace: string): Promise<ManagedObject[]> {
    const query = { labelSelector: MANAGED_SELECTOR };
    const list = (kind: ManagedKind, action: string, path: string) =>
      this.#attempt(action, () =>
        listMetadata(this.#connection, path, query, (metadata) => managed(kind, metadata)),
      );
    const lists = await Promise.all([
      list(
        "ServiceAccount",
        "list ServiceAccounts",
        `/api/v1/namespaces/${segment(grantsNamespace)}/serviceaccounts`,
      ),
      list("RoleBinding", "list RoleBindings", `${RBAC}/rolebindings`),
      list("ClusterRoleBinding", "list ClusterRoleBindings", `${RBAC}/clusterrolebindings`),
    ]);
    return lists.flat();
  }

  async deleteObject(object: ObjectRef): Promise<void> {
    try {
      await deleteObject(this.#connection, object);
    } catch (err) {
      throw fromKubeError(
        err,
        this.#name,
        `delete ${object.resource} ${object.namespace ? `${object.namespace}/` : ""}${object.name}`,
      );
    }
  }

  listNamespaces(): Promise<string[]> {
    return this.#attempt("list Namespaces", () =>
      listMetadata(this.#connection, "/api/v1/namespaces", {}, (metadata) => metadata.name ?? ""),
    ).then((names) => names.filter(Boolean));
  }

  #call<T>(action: string, method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    return this.#attempt(action, () => kubeJson<T>(this.#connection, method, path, { body }));
  }

  async #attempt<T>(action: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw fromKubeError(err, this.#name, action);
    }
  }
}

const RBAC_REF = { apiGroup: "rbac.authorization.k8s.io", apiVersion: "v1" };

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
