import { formatDuration } from "../../shared/duration.ts";
import { CLUSTER_WIDE, type HeldRule, subjectKey } from "./effective-rules.ts";
import { describeRule, describeSubject, type Finding, fromBinding } from "./finding.ts";
import type { Binding, Meta, PolicyRule } from "./rbac-reader.ts";
import { EVERYONE } from "./rule-findings.ts";

/**
 * Findings about who is bound, rather than what a rule allows: bindings to everyone, people
 * bound directly instead of through kube-broker grants, third-party ServiceAccounts with
 * cluster-wide power, subjects that do not exist, and legacy token Secrets.
 */
const WRITE_VERBS = new Set(["create", "update", "patch", "delete", "deletecollection", "*"]);
const TOKEN_NAME = "kubernetes.io/service-account.name";
const LAST_USED = "kubernetes.io/legacy-token-last-used";
const INVALID_SINCE = "kubernetes.io/legacy-token-invalid-since";

export function bindingFindings(bindings: Binding[], serviceAccounts: Set<string>): Finding[] {
  const findings: Finding[] = [];
  for (const binding of bindings) {
    const scope = binding.kind === "ClusterRoleBinding" ? CLUSTER_WIDE : (binding.metadata.namespace ?? "");
    for (const subject of binding.subjects) {
      const where = fromBinding(binding, subject, scope);
      const key = subjectKey(subject);
      if (EVERYONE.has(key)) {
        const who =
          subject.name === "system:authenticated" ? "everyone signed in" : "everyone, signed in or not";
        findings.push({
          severity: "critical",
          check: "everyone-bound",
          ...where,
          what: `${who} holds ${binding.roleRef.kind} ${binding.roleRef.name}`,
          fix: "delete this binding, or bind the role to the people and accounts that need it",
        });
      } else if (subject.kind === "ServiceAccount" && !serviceAccounts.has(key)) {
        findings.push({
          severity: "medium",
          check: "dangling-subject",
          ...where,
          what: `the ServiceAccount does not exist: whoever creates it in ${subject.namespace} inherits ${binding.roleRef.name}`,
          fix: "remove this subject from the binding (or delete the binding)",
        });
      } else if (subject.kind !== "ServiceAccount" && !subject.name.startsWith("system:")) {
        findings.push({
          severity: "drift",
          check: "direct-binding",
          ...where,
          what: `a ${subject.kind === "User" ? "person" : "group"} bound directly to ${binding.roleRef.name}, not through a kube-broker grant`,
          fix: "delete the binding and give this access as a kube-broker standing rule or request",
        });
      }
    }
  }
  return findings;
}

/** ServiceAccounts outside kube-system (not kube-broker's) with cluster-wide write or Secret access. */
export function thirdPartyFindings(held: HeldRule[]): Finding[] {
  const findings = new Map<string, Finding>();
  for (const { subject, scope, rule, binding } of held) {
    if (subject.kind !== "ServiceAccount" || subject.namespace === "kube-system" || scope !== CLUSTER_WIDE)
      continue;
    const power = clusterPower(rule);
    if (!power) continue;
    const key = `${subjectKey(subject)} ${binding.metadata.name}`;
    if (findings.has(key)) continue;
    findings.set(key, {
      severity: "medium",
      check: "third-party-cluster-power",
      ...fromBinding(binding, subject, scope),
      what: `a third-party integration's ServiceAccount with cluster-wide ${power} (${describeRule(rule)})`,
      rule,
      fix: "scope it to the namespaces it works in (RoleBindings) and to the verbs it uses",
    });
  }
  return [...findings.values()];
}

function clusterPower(rule: PolicyRule): string | undefined {
  const resources = rule.resources ?? [];
  if (resources.length === 0) return undefined;
  if (resources.some((r) => r === "*" || r === "secrets" || r.startsWith("secrets/"))) return "Secret access";
  if (rule.verbs.some((v) => WRITE_VERBS.has(v))) return "write";
  return undefined;
}

/** Each legacy (Secret-based) ServiceAccount token: it never expires and is often copied around. */
export function legacyTokenFindings(secrets: { metadata: Meta }[], now: number): Finding[] {
  return secrets.map(({ metadata }) => {
    const account = metadata.annotations?.[TOKEN_NAME] ?? "";
    const created = Date.parse(metadata.creationTimestamp ?? "");
    const age = Number.isNaN(created)
      ? "age unknown"
      : `${formatDuration(Math.max(0, Math.round((now - created) / 1000)))} old`;
    const lastUsed = metadata.labels?.[LAST_USED];
    const invalid = metadata.labels?.[INVALID_SINCE];
    const use = invalid ? `invalid since ${invalid}` : lastUsed ? `last used ${lastUsed}` : "never seen used";
    return {
      severity: "medium",
      check: "legacy-token",
      subject: describeSubject({
        kind: "ServiceAccount",
        namespace: metadata.namespace ?? "",
        name: account,
      }),
      scope: metadata.namespace ?? "",
      what: `a long-lived token Secret, ${age}, ${use}`,
      via: `Secret ${metadata.namespace ?? ""}/${metadata.name}`,
      fix: "delete the Secret; use short-lived tokens (TokenRequest, kube-broker grants) instead",
    };
  });
}
