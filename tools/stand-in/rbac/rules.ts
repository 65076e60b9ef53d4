/**
 * Rule matching, as plugin/pkg/auth/authorizer/rbac/rbac.go and pkg/apis/rbac/v1/evaluation_helpers.go
 * do it: "*" wildcards, "resource/subresource" and "*\/subresource", resourceNames, and
 * nonResourceURLs ending in "*" as prefixes.
 */
import type { Attributes, PolicyRule, Subject, UserInfo } from "./types.ts";

const has = (list: string[] | undefined, value: string) => (list ?? []).includes(value);

function verbMatches(rule: PolicyRule, verb: string): boolean {
  return has(rule.verbs, "*") || has(rule.verbs, verb);
}

function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return has(rule.apiGroups, "*") || has(rule.apiGroups, group);
}

function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  return (rule.resources ?? []).some(
    (r) =>
      r === "*" ||
      r === combined ||
      (subresource !== "" && r.length === subresource.length + 2 && r === `*/${subresource}`),
  );
}

function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  return !rule.resourceNames?.length || rule.resourceNames.includes(name);
}

export function nonResourceURLMatches(pattern: string, path: string): boolean {
  return (
    pattern === "*" || pattern === path || (pattern.endsWith("*") && path.startsWith(pattern.slice(0, -1)))
  );
}

/** `RuleAllows`. */
export function ruleAllows(attributes: Attributes, rule: PolicyRule): boolean {
  if (attributes.resourceRequest) {
    const combined = attributes.subresource
      ? `${attributes.resource}/${attributes.subresource}`
      : attributes.resource;
    return (
      verbMatches(rule, attributes.verb) &&
      apiGroupMatches(rule, attributes.apiGroup) &&
      resourceMatches(rule, combined, attributes.subresource) &&
      resourceNameMatches(rule, attributes.name)
    );
  }
  return (
    verbMatches(rule, attributes.verb) &&
    (rule.nonResourceURLs ?? []).some((pattern) => nonResourceURLMatches(pattern, attributes.path))
  );
}

/** `appliesToUser`: a ServiceAccount subject without namespace means the binding's namespace. */
export function subjectMatches(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case "User":
      return user.username === subject.name;
    case "Group":
      return user.groups.includes(subject.name);
    case "ServiceAccount": {
      const namespace = subject.namespace || bindingNamespace;
      return namespace !== "" && user.username === `system:serviceaccount:${namespace}:${subject.name}`;
    }
    default:
      return false;
  }
}

/** How the RBAC authorizer names a subject in its "allowed by" reason. */
export function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === "ServiceAccount") {
    return `ServiceAccount "${subject.name}/${subject.namespace || bindingNamespace}"`;
  }
  return `${subject.kind} "${subject.name}"`;
}
