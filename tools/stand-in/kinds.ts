/**
 * The resources the stand-in serves: one table that discovery, routing, the store and Table
 * printing all read, so a kind is added in one place.
 */
import type { NameRule } from "./names.ts";

export interface SubresourceInfo {
  name: string;
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

export interface KindInfo {
  resource: string;
  singular: string;
  kind: string;
  group: string;
  version: string;
  namespaced: boolean;
  /**
   * Kept in the store under its own resource (false for reviews, computed per request, and for
   * kinds served from another's storage or computed: events.k8s.io events, metrics).
   */
  stored: boolean;
  names: NameRule;
  shortNames?: string[];
  categories?: string[];
  subresources: SubresourceInfo[];
  /** The verbs served, where they differ from the stored or review kinds' (metrics: get, list). */
  verbs?: string[];
}

const STORED_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const VIRTUAL_VERBS = ["create"];
const EVENT_V1_VERBS = ["create", "delete", "get", "list", "watch"];

export function verbsOf(kind: KindInfo): string[] {
  return kind.verbs ?? (kind.stored ? STORED_VERBS : VIRTUAL_VERBS);
}

export function apiVersionOf(kind: { group: string; version: string }): string {
  return kind.group ? `${kind.group}/${kind.version}` : kind.version;
}

function core(resource: string, kind: string, namespaced: boolean, extra: Partial<KindInfo> = {}): KindInfo {
  return {
    resource,
    singular: kind.toLowerCase(),
    kind,
    group: "",
    version: "v1",
    namespaced,
    stored: true,
    names: "dns-subdomain",
    subresources: [],
    ...extra,
  };
}

const RBAC = "rbac.authorization.k8s.io";
const AUTHN = "authentication.k8s.io";
const AUTHZ = "authorization.k8s.io";
const CERTIFICATES = "certificates.k8s.io";
const APPS = "apps";
export const EVENTS = "events.k8s.io";
export const METRICS = "metrics.k8s.io";

function grouped(group: string, resource: string, kind: string, namespaced: boolean, stored: boolean) {
  return core(resource, kind, namespaced, { group, stored, names: "path-segment" });
}

export const KINDS: readonly KindInfo[] = [
  core("namespaces", "Namespace", false, { names: "dns-label", shortNames: ["ns"] }),
  core("nodes", "Node", false, { shortNames: ["no"] }),
  core("serviceaccounts", "ServiceAccount", true, {
    shortNames: ["sa"],
    subresources: [{ name: "token", kind: "TokenRequest", group: AUTHN, version: "v1", verbs: ["create"] }],
  }),
  core("secrets", "Secret", true),
  core("configmaps", "ConfigMap", true, { shortNames: ["cm"] }),
  core("services", "Service", true, { names: "dns-label", shortNames: ["svc"], categories: ["all"] }),
  // Before events.k8s.io's Event, so the store's "events"/"Event" is the core kind that holds both.
  core("events", "Event", true, { shortNames: ["ev"] }),
  core("pods", "Pod", true, {
    shortNames: ["po"],
    categories: ["all"],
    subresources: [
      { name: "log", kind: "Pod", verbs: ["get"] },
      { name: "attach", kind: "PodAttachOptions", verbs: ["create", "get"] },
      { name: "exec", kind: "PodExecOptions", verbs: ["create", "get"] },
      { name: "portforward", kind: "PodPortForwardOptions", verbs: ["create", "get"] },
    ],
  }),
  { ...grouped(APPS, "deployments", "Deployment", true, true), shortNames: ["deploy"], categories: ["all"] },
  // The same objects as core v1 events, converted (handlers/events-v1.ts).
  { ...grouped(EVENTS, "events", "Event", true, false), verbs: EVENT_V1_VERBS },
  // Computed from the pods and nodes on every read (handlers/metrics.ts), as metrics-server serves them.
  { ...grouped(METRICS, "pods", "PodMetrics", true, false), version: "v1beta1", verbs: ["get", "list"] },
  { ...grouped(METRICS, "nodes", "NodeMetrics", false, false), version: "v1beta1", verbs: ["get", "list"] },
  grouped(RBAC, "roles", "Role", true, true),
  grouped(RBAC, "rolebindings", "RoleBinding", true, true),
  grouped(RBAC, "clusterroles", "ClusterRole", false, true),
  grouped(RBAC, "clusterrolebindings", "ClusterRoleBinding", false, true),
  grouped(AUTHN, "tokenreviews", "TokenReview", false, false),
  grouped(AUTHN, "selfsubjectreviews", "SelfSubjectReview", false, false),
  grouped(AUTHZ, "subjectaccessreviews", "SubjectAccessReview", false, false),
  grouped(AUTHZ, "selfsubjectaccessreviews", "SelfSubjectAccessReview", false, false),
  grouped(AUTHZ, "localsubjectaccessreviews", "LocalSubjectAccessReview", true, false),
  grouped(AUTHZ, "selfsubjectrulesreviews", "SelfSubjectRulesReview", false, false),
  {
    ...grouped(CERTIFICATES, "certificatesigningrequests", "CertificateSigningRequest", false, true),
    shortNames: ["csr"],
    subresources: ["approval", "status"].map((name) => ({
      name,
      kind: "CertificateSigningRequest",
      verbs: ["get", "patch", "update"],
    })),
  },
];

/** The group versions served, in the order discovery lists them. */
export const GROUP_VERSIONS: readonly { group: string; version: string }[] = [
  { group: RBAC, version: "v1" },
  { group: AUTHN, version: "v1" },
  { group: AUTHZ, version: "v1" },
  { group: CERTIFICATES, version: "v1" },
  { group: APPS, version: "v1" },
  { group: EVENTS, version: "v1" },
  { group: METRICS, version: "v1beta1" },
];

/** The kind serving `resource` in `group`/`version`, if any. */
export function findKind(group: string, version: string, resource: string): KindInfo | undefined {
  return KINDS.find((k) => k.group === group && k.version === version && k.resource === resource);
}

/** By plural resource ("pods"), kind ("Pod") or short name ("po"), for the direct store API. */
export function kindByName(name: string): KindInfo {
  const found = KINDS.find(
    (k) => k.resource === name || k.kind === name || k.singular === name || k.shortNames?.includes(name),
  );
  if (!found) throw new Error(`stand-in: no such kind ${JSON.stringify(name)}`);
  return found;
}

export function kindsIn(group: string, version: string): KindInfo[] {
  return KINDS.filter((k) => k.group === group && k.version === version);
}
