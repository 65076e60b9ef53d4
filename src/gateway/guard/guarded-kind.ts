import type { RequestAttributes } from "../request-attributes.ts";

/** The requests the persistence guard reads; every other request streams through untouched. */
export type GuardedKind = "token" | "secret" | "binding" | "role" | "csr" | "csr-approval";

const WRITES = new Set(["create", "update", "patch"]);
const RBAC = "rbac.authorization.k8s.io";

/**
 * Which guarded kind a request is, from its attributes alone (no body, no lookups), so the
 * check costs next to nothing on the requests it does not read.
 */
export function guardedKind(attrs: RequestAttributes | undefined): GuardedKind | undefined {
  if (!attrs?.isResourceRequest || !WRITES.has(attrs.verb)) return undefined;
  const { apiGroup, resource, subresource } = attrs;
  if (apiGroup === "" && resource === "serviceaccounts") {
    return subresource === "token" && attrs.verb === "create" ? "token" : undefined;
  }
  if (apiGroup === "" && resource === "secrets" && subresource === "") return "secret";
  if (apiGroup === RBAC && subresource === "") {
    if (resource === "rolebindings" || resource === "clusterrolebindings") return "binding";
    if (resource === "roles" || resource === "clusterroles") return "role";
  }
  if (apiGroup === "certificates.k8s.io" && resource === "certificatesigningrequests") {
    if (subresource === "") return "csr";
    if (subresource === "approval") return "csr-approval";
  }
  return undefined;
}
