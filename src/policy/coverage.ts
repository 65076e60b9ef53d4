import type { Subjects } from "../config/fields.ts";
import type { RoleConfig } from "../config/schema.ts";
import type { Principal } from "../shared/principal.ts";
import type { AccessAsk } from "./ask.ts";
import { globMatch } from "./glob.ts";
import { matchesSubjects } from "./subjects.ts";

/** What standing and request rules share: who, which clusters, which roles, where. */
export interface PolicyRule {
  subjects: Subjects;
  clusters: string[];
  roles: string[];
  namespaces: string[];
}

/** The rule is about this principal, this cluster and this role (namespaces aside). */
export function ruleApplies(rule: PolicyRule, principal: Principal, ask: AccessAsk): boolean {
  return (
    rule.roles.includes(ask.role) &&
    rule.clusters.some((pattern) => globMatch(pattern, ask.cluster)) &&
    matchesSubjects(rule.subjects, principal)
  );
}

/** A rule's namespaces mean nothing for a cluster-wide role; otherwise it must allow each one asked. */
export function ruleCoversNamespace(rule: PolicyRule, role: RoleConfig, namespace: string): boolean {
  return role.scope === "cluster" || rule.namespaces.some((pattern) => globMatch(pattern, namespace));
}

/** Applicable rules, and those of them that cover every asked namespace on their own. */
export function coverage<R extends PolicyRule>(
  rules: readonly R[],
  principal: Principal,
  ask: AccessAsk,
  role: RoleConfig,
): { applicable: R[]; covering: R[] } {
  const applicable = rules.filter((rule) => ruleApplies(rule, principal, ask));
  const covering = applicable.filter((rule) =>
    ask.namespaces.every((namespace) => ruleCoversNamespace(rule, role, namespace)),
  );
  return { applicable, covering };
}

/** Asked namespaces that not one applicable rule allows; what a refusal should name. */
export function uncoveredNamespaces(
  applicable: readonly PolicyRule[],
  ask: AccessAsk,
  role: RoleConfig,
): string[] {
  return ask.namespaces.filter(
    (namespace) => !applicable.some((rule) => ruleCoversNamespace(rule, role, namespace)),
  );
}
