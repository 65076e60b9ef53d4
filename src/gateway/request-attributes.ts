/**
 * What a Kubernetes request is about, computed the way the API server computes it
 * (kubernetes/apiserver pkg/endpoints/request/requestinfo.go, RequestInfoFactory with the
 * prefixes "api" and "apis", "api" being groupless), so that the gateway's audit record and
 * decisions name the same verb, resource and object the cluster's RBAC and audit log see.
 * Paths that could be read two ways are refused with 400 before anything else happens.
 */
import { BadRequest } from "../shared/errors.ts";
import { decodeRequestPath } from "./request-attributes-path.ts";
import { collectionRead } from "./request-attributes-query.ts";

export { parseQuery } from "./request-attributes-query.ts";

export interface RequestAttributes {
  /** False for discovery, /version, /healthz, /openapi/… and anything else outside a resource. */
  isResourceRequest: boolean;
  /** The Kubernetes verb; for non-resource requests the lowercase HTTP method. */
  verb: string;
  apiPrefix: string;
  /** "" for the core group (/api). */
  apiGroup: string;
  apiVersion: string;
  /** "" for cluster-scoped resources; for /namespaces/<ns> itself, <ns>. */
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** The decoded path. */
  path: string;
}

// Verbs written as a path prefix by old clients: /api/v1/watch/pods, /api/v1/proxy/nodes/n.
const PATH_VERBS = new Set(["proxy", "watch"]);
// The namespace object's own subresources, told apart from resources inside a namespace.
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);
// Maps, not object literals: a method or subresource named "constructor" must find nothing.
const METHOD_VERBS = new Map([
  ["POST", "create"],
  ["GET", "get"],
  ["HEAD", "get"],
  ["PUT", "update"],
  ["PATCH", "patch"],
  ["DELETE", "delete"],
]);

/** Throws BadRequest for a path the gateway refuses (see request-attributes-path.ts). */
export function parseRequestAttributes(
  method: string,
  rawPath: string,
  query: URLSearchParams,
): RequestAttributes {
  const { path, segments } = decodeRequestPath(rawPath);
  const attrs: RequestAttributes = {
    isResourceRequest: false,
    verb: method.toLowerCase(),
    apiPrefix: "",
    apiGroup: "",
    apiVersion: "",
    namespace: "",
    resource: "",
    subresource: "",
    name: "",
    path,
  };
  const [prefix, ...rest] = segments;
  // /api/<version>/<resource>… or /apis/<group>/<version>/<resource>…; anything shorter is discovery.
  const grouped = prefix === "apis";
  if ((prefix !== "api" && !grouped) || rest.length < (grouped ? 3 : 2)) return attrs;

  attrs.isResourceRequest = true;
  attrs.apiPrefix = prefix;
  let parts = rest;
  if (grouped) [attrs.apiGroup, ...parts] = parts as [string, ...string[]];
  [attrs.apiVersion, ...parts] = parts as [string, ...string[]];

  const first = parts[0]!;
  if (PATH_VERBS.has(first)) {
    if (parts.length < 2) {
      throw new BadRequest(`the request path ${JSON.stringify(path)} names no resource after "${first}"`);
    }
    attrs.verb = first;
    parts = parts.slice(1);
  } else {
    attrs.verb = METHOD_VERBS.get(method) ?? "";
  }

  if (parts[0] === "namespaces" && parts.length > 1) {
    attrs.namespace = parts[1]!;
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2);
  }
  // parts: resource/name/subresource/…; the proxy verb keeps everything after the name as a subpath.
  attrs.resource = parts[0]!;
  attrs.name = parts[1] ?? "";
  if (attrs.verb !== "proxy") attrs.subresource = parts[2] ?? "";

  if (attrs.name === "" && attrs.verb === "get") Object.assign(attrs, collectionRead(query));
  if (attrs.name === "" && attrs.verb === "delete") attrs.verb = "deletecollection";
  return attrs;
}

// Subresources that are sessions rather than reads or writes, named as such in audit records.
const SESSION_SUBRESOURCES = new Map([
  ["exec", new Set(["pods"])],
  ["attach", new Set(["pods"])],
  ["portforward", new Set(["pods"])],
  ["proxy", new Set(["pods", "services", "nodes"])],
]);

/** DESIGN.md's audit verb: the Kubernetes verb, or exec/attach/portforward/proxy for those subresources. */
export function auditVerb(attrs: RequestAttributes): string {
  const session = SESSION_SUBRESOURCES.get(attrs.subresource);
  const core = attrs.isResourceRequest && attrs.apiGroup === "";
  return core && session?.has(attrs.resource) ? attrs.subresource : attrs.verb;
}
