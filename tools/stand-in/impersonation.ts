/**
 * `Impersonate-*` headers, as k8s.io/apiserver's impersonation filter treats them: each
 * requested user, group, uid and extra must be allowed by the `impersonate` verb for the
 * requester, and the request then runs as the impersonated identity. The broker must never
 * let these through; having the real behaviour here lets its tests show why.
 */
import type { IncomingMessage } from "node:http";
import { requireAllowed } from "./authz.ts";
import type { RbacAuthorizer } from "./rbac/authorizer.ts";
import type { Attributes, UserInfo } from "./rbac/types.ts";
import { badRequest } from "./status.ts";

const AUTHN = "authentication.k8s.io";

function headerValues(req: IncomingMessage, name: string): string[] {
  const raw = req.headersDistinct[name] ?? [];
  return raw
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

function check(authorizer: RbacAuthorizer, requester: UserInfo, target: Partial<Attributes>): void {
  requireAllowed(authorizer, {
    user: requester,
    verb: "impersonate",
    resourceRequest: true,
    path: "",
    namespace: "",
    apiGroup: "",
    apiVersion: "",
    resource: "",
    subresource: "",
    name: "",
    ...target,
  });
}

/** The identity the request runs as: the requester, or whom it may and does impersonate. */
export function impersonate(authorizer: RbacAuthorizer, req: IncomingMessage, requester: UserInfo): UserInfo {
  const [username] = headerValues(req, "impersonate-user");
  const groups = headerValues(req, "impersonate-group");
  const [uid] = headerValues(req, "impersonate-uid");
  const extraHeaders = Object.keys(req.headers).filter((h) => h.startsWith("impersonate-extra-"));
  if (username === undefined) {
    if (groups.length || uid || extraHeaders.length) {
      throw badRequest("requested impersonation of groups, uid or extra without impersonating a user");
    }
    return requester;
  }
  const serviceAccount = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  if (serviceAccount) {
    check(authorizer, requester, {
      resource: "serviceaccounts",
      namespace: serviceAccount[1]!,
      name: serviceAccount[2]!,
    });
  } else {
    check(authorizer, requester, { resource: "users", name: username });
  }
  for (const group of groups) check(authorizer, requester, { resource: "groups", name: group });
  if (uid) check(authorizer, requester, { apiGroup: AUTHN, resource: "uids", name: uid });
  const extra: Record<string, string[]> = {};
  for (const header of extraHeaders) {
    const key = decodeURIComponent(header.slice("impersonate-extra-".length));
    for (const value of headerValues(req, header)) {
      check(authorizer, requester, {
        apiGroup: AUTHN,
        resource: "userextras",
        subresource: key,
        name: value,
      });
      extra[key] = [...(extra[key] ?? []), value];
    }
  }
  const effectiveGroups =
    serviceAccount && groups.length === 0
      ? ["system:serviceaccounts", `system:serviceaccounts:${serviceAccount[1]}`]
      : [...groups];
  if (username !== "system:anonymous" && !effectiveGroups.includes("system:authenticated")) {
    effectiveGroups.push("system:authenticated");
  }
  const user: UserInfo = { username, groups: effectiveGroups };
  if (uid) user.uid = uid;
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}
