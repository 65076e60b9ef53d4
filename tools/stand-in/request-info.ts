/**
 * What a request asks for, derived from its method and URL exactly as the real server's
 * RequestInfoFactory (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go) does: this is
 * what RBAC checks, so the verb for GET on a collection is list or watch, DELETE on a
 * collection is deletecollection, and a `metadata.name=` field selector names the object.
 */
import { isValidName } from "./names.ts";
import { exactName } from "./selectors.ts";

export interface RequestInfo {
  resourceRequest: boolean;
  path: string;
  verb: string;
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Set when the verb came from a `/watch/` path prefix (the deprecated watch form). */
  watchPath: boolean;
}

const METHOD_VERBS: Record<string, string> = {
  POST: "create",
  GET: "get",
  HEAD: "get",
  PUT: "update",
  PATCH: "patch",
  DELETE: "delete",
};

export function requestInfo(method: string, url: URL): RequestInfo {
  const info: RequestInfo = {
    resourceRequest: false,
    path: url.pathname,
    verb: method.toLowerCase(),
    apiPrefix: "",
    apiGroup: "",
    apiVersion: "",
    namespace: "",
    resource: "",
    subresource: "",
    name: "",
    watchPath: false,
  };
  // Go splits the decoded path: a name such as system%3Anode-bootstrapper is system:node-bootstrapper.
  let parts = decodedPath(url.pathname)
    .split("/")
    .filter((p) => p !== "");
  if (parts.length < 3 || (parts[0] !== "api" && parts[0] !== "apis")) return info;
  info.apiPrefix = parts[0]!;
  parts = parts.slice(1);
  if (info.apiPrefix === "apis") {
    if (parts.length < 3) return info;
    info.apiGroup = parts[0]!;
    parts = parts.slice(1);
  }
  info.resourceRequest = true;
  info.apiVersion = parts[0]!;
  parts = parts.slice(1);
  if (parts[0] === "watch" || parts[0] === "proxy") {
    info.verb = parts[0];
    info.watchPath = parts[0] === "watch";
    parts = parts.slice(1);
  } else {
    info.verb = METHOD_VERBS[method] ?? "";
  }
  if (parts[0] === "namespaces" && parts.length > 1) {
    info.namespace = parts[1]!;
    // "status" and "finalize" are subresources of the namespace itself, not resources in it.
    if (parts.length > 2 && parts[2] !== "status" && parts[2] !== "finalize") parts = parts.slice(2);
  }
  if (parts.length >= 3 && info.verb !== "proxy") info.subresource = parts[2]!;
  if (parts.length >= 2) info.name = parts[1]!;
  if (parts.length >= 1) info.resource = parts[0]!;

  if (!info.name && info.verb === "get") {
    const watch = url.searchParams.get("watch");
    info.verb = watch !== null && watch !== "false" && watch !== "0" ? "watch" : "list";
    const pinned = exactName(url.searchParams.get("fieldSelector"));
    if (pinned && isValidName("path-segment", pinned)) info.name = pinned;
  }
  if (!info.name && info.verb === "delete") info.verb = "deletecollection";
  return info;
}

function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
