import { CLUSTER_WIDE } from "./effective-rules.ts";
import type { Binding, PolicyRule, Subject } from "./rbac-reader.ts";

/** One standing risk the RBAC report found (docs/reports.md explains each check). */
export interface Finding {
  severity: Severity;
  /** Which check found it: a stable id, the heading of its section in docs/reports.md. */
  check: string;
  /** "ServiceAccount monitoring/prometheus", "User alice@example.com", "Group developers". */
  subject: string;
  /** A namespace, or "cluster-wide". */
  scope: string;
  /** What the subject can do, or what is wrong: "create serviceaccounts/token". */
  what: string;
  /** The rule that grants it, when a rule does. */
  rule?: PolicyRule;
  /** The object that grants it: "ClusterRoleBinding/ci-admin", "RoleBinding team-a/dev". */
  via: string;
  /** The role the binding refers to: "ClusterRole/cluster-admin". */
  role?: string;
  fix: string;
}

export const SEVERITIES = ["critical", "high", "medium", "drift"] as const;
export type Severity = (typeof SEVERITIES)[number];

export function describeSubject(subject: Subject): string {
  return subject.kind === "ServiceAccount"
    ? `ServiceAccount ${subject.namespace ?? ""}/${subject.name}`
    : `${subject.kind} ${subject.name}`;
}

export function describeBinding(binding: Binding): string {
  return binding.kind === "ClusterRoleBinding"
    ? `ClusterRoleBinding/${binding.metadata.name}`
    : `RoleBinding ${binding.metadata.namespace ?? ""}/${binding.metadata.name}`;
}

export function describeScope(scope: string): string {
  return scope === CLUSTER_WIDE ? "cluster-wide" : scope;
}

/** A rule as one line: "get,list secrets" or "* *.*" or "get /metrics". */
export function describeRule(rule: PolicyRule): string {
  const verbs = rule.verbs.join(",");
  if (rule.nonResourceURLs?.length) return `${verbs} ${rule.nonResourceURLs.join(",")}`;
  const groups = rule.apiGroups ?? [];
  const resources = (rule.resources ?? [])
    .flatMap((r) => (groups.length === 0 ? [r] : groups.map((g) => (g === "" ? r : `${r}.${g}`))))
    .join(",");
  const names = rule.resourceNames?.length ? ` (names: ${rule.resourceNames.join(",")})` : "";
  return `${verbs} ${resources}${names}`;
}

/** The fields every finding about a rule held through a binding shares. */
export function fromBinding(
  binding: Binding,
  subject: Subject,
  scope: string,
): Pick<Finding, "subject" | "scope" | "via" | "role"> {
  return {
    subject: describeSubject(subject),
    scope: describeScope(scope),
    via: describeBinding(binding),
    role: `${binding.roleRef.kind}/${binding.roleRef.name}`,
  };
}
