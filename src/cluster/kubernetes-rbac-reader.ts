import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1ObjectMeta,
  V1PolicyRule,
  V1Role,
  V1RoleBinding,
  V1SelfSubjectAccessReview,
} from "@kubernetes/client-node";
import type { Binding, Meta, PolicyRule, RbacReader, RbacSnapshot } from "../reports/index.ts";
import type { KubeConnection } from "./kube-connection.ts";
import { fromKubeError, KubeApiError, statusMessage } from "./kube-errors.ts";
import { kubeJson } from "./kube-request.ts";
import { listMetadata, listObjects } from "./paged-list.ts";

const RBAC = "/apis/rbac.authorization.k8s.io/v1";

/**
 * The reports feature's RbacReader: lists (read-only, a page at a time) of the
 * RBAC kinds and ServiceAccounts, and of legacy token Secrets by metadata only — a
 * PartialObjectMetadataList, so no Secret's data ever reaches the broker. Listing Secrets is
 * an opt-in permission (deploy/components/secret-metadata): a 403 there skips that check.
 */
const TOKEN_SECRETS = { fieldSelector: "type=kubernetes.io/service-account-token" };

export class KubernetesRbacReader implements RbacReader {
  readonly #name: string;
  readonly #connection: KubeConnection;

  constructor(options: { name: string; connection: KubeConnection }) {
    ({ name: this.#name, connection: this.#connection } = options);
  }

  async readRbac(): Promise<RbacSnapshot> {
    const list = <I, T>(action: string, path: string, pick: (item: I) => T) =>
      this.#call(action, () => listObjects(this.#connection, path, pick));
    const [clusterRoles, roles, clusterRoleBindings, roleBindings, serviceAccounts, tokenSecrets] =
      await Promise.all([
        list("list ClusterRoles", `${RBAC}/clusterroles`, clusterRole),
        list("list Roles", `${RBAC}/roles`, (r: V1Role) => ({
          metadata: meta(r.metadata),
          rules: rules(r.rules),
        })),
        list("list ClusterRoleBindings", `${RBAC}/clusterrolebindings`, (b: V1ClusterRoleBinding) =>
          binding("ClusterRoleBinding", b),
        ),
        list("list RoleBindings", `${RBAC}/rolebindings`, (b: V1RoleBinding) => binding("RoleBinding", b)),
        this.#call("list ServiceAccounts", () =>
          listMetadata(this.#connection, "/api/v1/serviceaccounts", {}, (m) => ({ metadata: meta(m) })),
        ),
        this.#tokenSecrets(),
      ]);
    return {
      clusterRoles,
      roles,
      clusterRoleBindings,
      roleBindings,
      serviceAccounts,
      tokenSecrets,
    };
  }

  async #tokenSecrets(): Promise<RbacSnapshot["tokenSecrets"]> {
    const action = "list Secrets (metadata only)";
    // Ask first: a refused list would be a 403 in the cluster's own audit log at every scan,
    // the kind of noise that hides a real refusal (every identity may ask about itself).
    if (!(await this.#mayListSecrets())) {
      return {
        skipped: `the broker may not list Secrets in cluster "${this.#name}" (opt in with deploy/components/secret-metadata)`,
      };
    }
    try {
      const items = await listMetadata(this.#connection, "/api/v1/secrets", TOKEN_SECRETS, (m) => ({
        metadata: meta(m),
      }));
      return { items };
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 403) {
        return {
          skipped: `the broker may not list Secrets in cluster "${this.#name}" (opt in with deploy/components/secret-metadata): ${statusMessage(err.body) ?? "403 Forbidden"}`,
        };
      }
      throw fromKubeError(err, this.#name, action);
    }
  }

  async #mayListSecrets(): Promise<boolean> {
    const body: V1SelfSubjectAccessReview = {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      spec: { resourceAttributes: { verb: "list", resource: "secrets" } },
    };
    const review = await this.#call("review its own permission to list Secrets", () =>
      kubeJson<V1SelfSubjectAccessReview>(
        this.#connection,
        "POST",
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        { body },
      ),
    );
    return review.status?.allowed === true;
  }

  async #call<T>(action: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw fromKubeError(err, this.#name, action);
    }
  }
}

function clusterRole(r: V1ClusterRole): RbacSnapshot["clusterRoles"][number] {
  return {
    metadata: meta(r.metadata),
    rules: rules(r.rules),
    ...(r.aggregationRule
      ? {
          aggregationRule: {
            clusterRoleSelectors: (r.aggregationRule.clusterRoleSelectors ?? []).map((s) => ({
              ...(s.matchLabels ? { matchLabels: s.matchLabels } : {}),
              ...(s.matchExpressions ? { matchExpressions: s.matchExpressions } : {}),
            })),
          },
        }
      : {}),
  };
}

function meta(metadata: V1ObjectMeta | undefined): Meta {
  const created = metadata?.creationTimestamp;
  return {
    name: metadata?.name ?? "",
    ...(metadata?.namespace ? { namespace: metadata.namespace } : {}),
    labels: metadata?.labels ?? {},
    annotations: metadata?.annotations ?? {},
    ...(created ? { creationTimestamp: new Date(created).toISOString() } : {}),
  };
}

function rules(list: V1PolicyRule[] | undefined): PolicyRule[] {
  return (list ?? []).map((r) => ({
    verbs: r.verbs ?? [],
    ...(r.apiGroups ? { apiGroups: r.apiGroups } : {}),
    ...(r.resources ? { resources: r.resources } : {}),
    ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}),
    ...(r.nonResourceURLs ? { nonResourceURLs: r.nonResourceURLs } : {}),
  }));
}

function binding(kind: Binding["kind"], b: V1ClusterRoleBinding | V1RoleBinding): Binding {
  return {
    kind,
    metadata: meta(b.metadata),
    roleRef: { kind: b.roleRef.kind === "Role" ? "Role" : "ClusterRole", name: b.roleRef.name },
    subjects: (b.subjects ?? []).map((s) => ({
      kind: s.kind === "User" || s.kind === "Group" ? s.kind : "ServiceAccount",
      name: s.name,
      ...(s.namespace ? { namespace: s.namespace } : {}),
    })),
  };
}
