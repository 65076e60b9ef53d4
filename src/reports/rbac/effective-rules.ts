import type {
  Binding,
  ClusterRole,
  LabelSelector,
  PolicyRule,
  RbacSnapshot,
  Role,
  Subject,
} from "./rbac-reader.ts";

/**
 * Who holds which rules where: ClusterRoles with their aggregation resolved, and every rule
 * each subject of each binding holds, with the namespace it holds it in. Pure functions over
 * what the cluster says, shared by the RBAC findings and by the usage reports (granted
 * against used).
 */

/** Where a rule applies: one namespace (a RoleBinding) or every namespace (a ClusterRoleBinding). */
export const CLUSTER_WIDE = "*";

export interface HeldRule {
  subject: Subject;
  /** A namespace, or CLUSTER_WIDE. */
  scope: string;
  rule: PolicyRule;
  binding: Binding;
}

/** The rules of a ClusterRole; for an aggregated one, the union of every role its selectors match. */
export function clusterRoleRules(name: string, clusterRoles: ClusterRole[]): PolicyRule[] | undefined {
  const byName = new Map(clusterRoles.map((role) => [role.metadata.name, role]));
  return resolve(name, byName, clusterRoles, new Set());
}

function resolve(
  name: string,
  byName: Map<string, ClusterRole>,
  all: ClusterRole[],
  seen: Set<string>,
): PolicyRule[] | undefined {
  const role = byName.get(name);
  if (!role) return undefined;
  const selectors = role.aggregationRule?.clusterRoleSelectors;
  // The API server's aggregation controller replaces an aggregated role's rules with the union
  // of the matching roles' rules; resolving it here does not wait for that controller.
  if (!selectors) return role.rules;
  seen.add(name);
  const rules: PolicyRule[] = [];
  for (const other of all) {
    if (seen.has(other.metadata.name)) continue;
    if (!selectors.some((s) => selectorMatches(s, other.metadata.labels ?? {}))) continue;
    rules.push(...(resolve(other.metadata.name, byName, all, seen) ?? []));
  }
  seen.delete(name);
  return unique(rules);
}

/** The rules a binding grants (empty when its role does not exist: such a binding grants nothing). */
export function bindingRules(
  binding: Binding,
  snapshot: Pick<RbacSnapshot, "clusterRoles" | "roles">,
): PolicyRule[] {
  if (binding.roleRef.kind === "ClusterRole")
    return clusterRoleRules(binding.roleRef.name, snapshot.clusterRoles) ?? [];
  const role = snapshot.roles.find(
    (r: Role) =>
      r.metadata.name === binding.roleRef.name && r.metadata.namespace === binding.metadata.namespace,
  );
  return role?.rules ?? [];
}

/** Every rule every subject holds, one entry per subject, rule and binding. */
export function heldRules(
  snapshot: Pick<RbacSnapshot, "clusterRoles" | "roles" | "clusterRoleBindings" | "roleBindings">,
  include: (binding: Binding) => boolean = () => true,
): HeldRule[] {
  const held: HeldRule[] = [];
  for (const binding of [...snapshot.clusterRoleBindings, ...snapshot.roleBindings]) {
    if (!include(binding)) continue;
    const scope = binding.kind === "ClusterRoleBinding" ? CLUSTER_WIDE : (binding.metadata.namespace ?? "");
    const rules = bindingRules(binding, snapshot);
    for (const subject of binding.subjects)
      for (const rule of rules) held.push({ subject, scope, rule, binding });
  }
  return held;
}

/** The rules one subject holds, by scope (CLUSTER_WIDE or a namespace). */
export function rulesOfSubject(held: HeldRule[], subject: Subject): Map<string, PolicyRule[]> {
  const byScope = new Map<string, PolicyRule[]>();
  for (const h of held) {
    if (subjectKey(h.subject) !== subjectKey(subject)) continue;
    byScope.set(h.scope, [...(byScope.get(h.scope) ?? []), h.rule]);
  }
  return byScope;
}

export interface RequestAttributes {
  verb: string;
  /** "" for the core group. */
  apiGroup: string;
  /** With its subresource: "pods/exec". */
  resource: string;
  name?: string;
}

/** Whether a rule allows a resource request, matched as the API server's RBAC authorizer does. */
export function ruleAllows(rule: PolicyRule, request: RequestAttributes): boolean {
  const verbs = rule.verbs;
  if (!verbs.includes("*") && !verbs.includes(request.verb)) return false;
  const groups = rule.apiGroups ?? [];
  if (!groups.includes("*") && !groups.includes(request.apiGroup)) return false;
  const [, subresource] = request.resource.split("/");
  const resourceMatches = (rule.resources ?? []).some(
    (r) => r === "*" || r === request.resource || (subresource !== undefined && r === `*/${subresource}`),
  );
  if (!resourceMatches) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (request.name !== undefined && names.includes(request.name));
}

/** Whether a rule allows the request for some object name (a rule limited to names still counts). */
export function ruleAllowsAnyName(rule: PolicyRule, request: RequestAttributes): boolean {
  return ruleAllows({ ...rule, resourceNames: [] }, request);
}

export function subjectKey(subject: Subject): string {
  return subject.kind === "ServiceAccount"
    ? `ServiceAccount:${subject.namespace ?? ""}/${subject.name}`
    : `${subject.kind}:${subject.name}`;
}

/** metav1.LabelSelector matching (matchLabels and matchExpressions, ANDed). */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    byLabels &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      const has = Object.hasOwn(labels, key);
      switch (operator) {
        case "In":
          return has && values.includes(labels[key]!);
        case "NotIn":
          return !has || !values.includes(labels[key]!);
        case "Exists":
          return has;
        case "DoesNotExist":
          return !has;
        default:
          return false;
      }
    })
  );
}

function unique(rules: PolicyRule[]): PolicyRule[] {
  const seen = new Set<string>();
  return rules.filter((rule) => {
    const key = JSON.stringify(rule);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
