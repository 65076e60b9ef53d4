/**
 * The authorization step of the request pipeline: attributes from the request info, the RBAC
 * decision, and the 403 worded as responsewriters.Forbidden words it
 * (`secrets is forbidden: User "…" cannot list resource "secrets" in API group "" in the namespace "team-a"`).
 */
import type { RbacAuthorizer } from "./rbac/authorizer.ts";
import type { Attributes, UserInfo } from "./rbac/types.ts";
import type { RequestInfo } from "./request-info.ts";
import { forbidden, type StatusError } from "./status.ts";

export function attributesOf(user: UserInfo, info: RequestInfo): Attributes {
  return {
    user,
    verb: info.verb,
    resourceRequest: info.resourceRequest,
    path: info.path,
    namespace: info.namespace,
    apiGroup: info.apiGroup,
    apiVersion: info.apiVersion,
    resource: info.resource,
    subresource: info.subresource,
    name: info.name,
  };
}

function forbiddenMessage(attributes: Attributes): string {
  const who = `User "${attributes.user.username}"`;
  if (!attributes.resourceRequest) return `${who} cannot ${attributes.verb} path "${attributes.path}"`;
  const resource = attributes.subresource
    ? `${attributes.resource}/${attributes.subresource}`
    : attributes.resource;
  const scope = attributes.namespace ? `in the namespace "${attributes.namespace}"` : "at the cluster scope";
  return `${who} cannot ${attributes.verb} resource "${resource}" in API group "${attributes.apiGroup}" ${scope}`;
}

export function forbiddenError(attributes: Attributes, reason: string): StatusError {
  const why = reason ? `${forbiddenMessage(attributes)}: ${reason}` : forbiddenMessage(attributes);
  return forbidden(attributes.resource, attributes.apiGroup, attributes.name, why);
}

/** Throws the real server's 403 unless RBAC allows the attributes. */
export function requireAllowed(authorizer: RbacAuthorizer, attributes: Attributes): void {
  const decision = authorizer.authorize(attributes);
  if (!decision.allowed) throw forbiddenError(attributes, decision.reason);
}
