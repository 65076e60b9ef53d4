import {
  ApiException,
  AuthorizationV1Api,
  CoreV1Api,
  type KubeConfig,
  RbacAuthorizationV1Api,
  type V1ClusterRoleBinding,
  type V1ObjectMeta,
  type V1PolicyRule,
  type V1RoleBinding,
} from "@kubernetes/client-node";
import type { Binding, Meta, PolicyRule, RbacReader, RbacSnapshot } from "../reports/index.ts";
import { fromKubeError, statusMessage } from "./kube-errors.ts";
import { listMetadata } from "./metadata-list.ts";

/**
 * The reports feature's RbacReader on @kubernetes/client-node 2: lists (read-only) of the
 * RBAC kinds and ServiceAccounts, and of legacy token Secrets by metadata only — a
 * PartialObjectMetadataList, so no Secret's data ever reaches the broker. Listing Secrets is
 * an opt-in permission (deploy/components/secret-metadata): a 403 there skips that check.
 */
const TOKEN_SECRETS = { fieldSelector: "type=kubernetes.io/service-account-token" };

export class KubernetesRbacReader implements RbacReader {
  readonly #name: string;
  readonly #kubeConfig: KubeConfig;

  constructor(options: { name: string; kubeConfig: KubeConfig }) {
    ({ name: this.#name, kubeConfig: this.#kubeConfig } = options);
  }

  async readRbac(): Promise<RbacSnapshot> {
    // A scan is rare (on request, or hourly): clients are made for it, not kept.
    const rbac = this.#kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    const core = this.#kubeConfig.makeApiClient(CoreV1Api);
    const [clusterRoles, roles, clusterRoleBindings, roleBindings, serviceAccounts, tokenSecrets] =
      await Promise.all([
        this.#call("list ClusterRoles", () => rbac.listClusterRole()),
        this.#call("list Roles", () => rbac.listRoleForAllNamespaces()),
        this.#call("list ClusterRoleBindings", () => rbac.listClusterRoleBinding()),
        this.#call("list RoleBindings", () => rbac.listRoleBindingForAllNamespaces()),
        this.#call("list ServiceAccounts", () => core.listServiceAccountForAllNamespaces()),
        this.#tokenSecrets(),
      ]);
    return {
      clusterRoles: clusterRoles.items.map((r) => ({
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
      })),
      roles: roles.items.map((r) => ({ metadata: meta(r.metadata), rules: rules(r.rules) })),
      clusterRoleBindings: clusterRoleBindings.items.map((b) => binding("ClusterRoleBinding", b)),
      roleBindings: roleBindings.items.map((b) => binding("RoleBinding", b)),
      serviceAccounts: serviceAccounts.items.map((a) => ({ metadata: meta(a.metadata) })),
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
      const items = await listMetadata(this.#kubeConfig, "/api/v1/secrets", TOKEN_SECRETS, (m) => ({
        metadata: meta(m),
      }));
      return { items };
    } catch (err) {
      if (err instanceof ApiException && err.code === 403) {
        return {
          skipped: `the broker may not list Secrets in cluster "${this.#name}" (opt in with deploy/components/secret-metadata): ${statusMessage(err.body) ?? "403 Forbidden"}`,
        };
      }
      throw fromKubeError(err, this.#name, action);
    }
  }

  async #mayListSecrets(): Promise<boolean> {
    const authorization = this.#kubeConfig.makeApiClient(AuthorizationV1Api);
    const review = await this.#call("review its own permission to list Secrets", () =>
      authorization.createSelfSubjectAccessReview({
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SelfSubjectAccessReview",
          spec: { resourceAttributes: { verb: "list", resource: "secrets" } },
        },
      }),
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
