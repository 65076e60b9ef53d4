/**
 * The four RBAC kinds: validation as pkg/apis/rbac/validation words it, subject apiGroup
 * defaulting, immutable roleRef, create-on-update, and the ClusterRole aggregation
 * controller (view/edit/admin collect the rules of ClusterRoles carrying their label).
 */

import { dnsSubdomainErrors, pathSegmentErrors } from "../names.ts";
import type { KubeObject } from "../objects.ts";
import { type PolicyRule, RBAC_GROUP, type RoleRef, type Subject } from "../rbac/types.ts";
import { labelSelectorMatches } from "../selectors.ts";
import { type FieldError, fieldInvalid, fieldNotSupported, fieldRequired } from "../status.ts";
import type { KindBehaviour, ObjectStore } from "../store.ts";

function validateRule(rule: PolicyRule, namespaced: boolean, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!rule.verbs?.length)
    errors.push(fieldRequired(`${path}.verbs`, "verbs must contain at least one value"));
  if (rule.nonResourceURLs?.length) {
    if (namespaced) {
      errors.push(
        fieldInvalid(
          `${path}.nonResourceURLs`,
          rule.nonResourceURLs,
          "namespaced rules cannot apply to non-resource URLs",
        ),
      );
    }
    if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length) {
      errors.push(
        fieldInvalid(
          `${path}.nonResourceURLs`,
          rule.nonResourceURLs,
          "rules cannot apply to both regular resources and non-resource URLs",
        ),
      );
    }
    return errors;
  }
  if (!rule.apiGroups?.length) {
    errors.push(fieldRequired(`${path}.apiGroups`, "resource rules must supply at least one api group"));
  }
  if (!rule.resources?.length) {
    errors.push(fieldRequired(`${path}.resources`, "resource rules must supply at least one resource"));
  }
  return errors;
}

function roleBehaviour(namespaced: boolean): KindBehaviour {
  return {
    allowCreateOnUpdate: true,
    validate(role) {
      const rules = (role.rules as PolicyRule[] | undefined) ?? [];
      return rules.flatMap((r, i) => validateRule(r, namespaced, `rules[${i}]`));
    },
  };
}

function validateSubject(subject: Subject, namespaced: boolean, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!subject.name) errors.push(fieldRequired(`${path}.name`));
  switch (subject.kind) {
    case "ServiceAccount":
      if (subject.name) {
        errors.push(
          ...dnsSubdomainErrors(subject.name).map((m) => fieldInvalid(`${path}.name`, subject.name, m)),
        );
      }
      if (subject.apiGroup) errors.push(fieldNotSupported(`${path}.apiGroup`, subject.apiGroup, [""]));
      if (!namespaced && !subject.namespace) errors.push(fieldRequired(`${path}.namespace`));
      break;
    case "User":
    case "Group":
      if (subject.apiGroup !== RBAC_GROUP) {
        errors.push(fieldNotSupported(`${path}.apiGroup`, subject.apiGroup, [RBAC_GROUP]));
      }
      break;
    default:
      errors.push(fieldNotSupported(`${path}.kind`, subject.kind ?? "", ["ServiceAccount", "User", "Group"]));
  }
  return errors;
}

/** rbac/v1 defaulting: the roleRef's group, and User and Group subjects belong to the RBAC group. */
function defaultBinding(binding: KubeObject): void {
  const roleRef = binding.roleRef as Partial<RoleRef> | undefined;
  if (roleRef && typeof roleRef === "object" && !roleRef.apiGroup) roleRef.apiGroup = RBAC_GROUP;
  for (const subject of (binding.subjects as Subject[] | undefined) ?? []) {
    if (subject && !subject.apiGroup && (subject.kind === "User" || subject.kind === "Group"))
      subject.apiGroup = RBAC_GROUP;
  }
}

function roleRefChanged(old: Partial<RoleRef> | undefined, now: Partial<RoleRef>): boolean {
  return (["apiGroup", "kind", "name"] as const).some((field) => (old?.[field] ?? "") !== (now[field] ?? ""));
}

function bindingBehaviour(namespaced: boolean): KindBehaviour {
  const kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
  return {
    allowCreateOnUpdate: true,
    applyDefaults: defaultBinding,
    validate(binding, old) {
      const roleRef = (binding.roleRef ?? {}) as Partial<RoleRef>;
      const errors: FieldError[] = [];
      if (roleRef.apiGroup !== RBAC_GROUP) {
        errors.push(fieldNotSupported("roleRef.apiGroup", roleRef.apiGroup ?? "", [RBAC_GROUP]));
      }
      if (!kinds.includes(roleRef.kind ?? ""))
        errors.push(fieldNotSupported("roleRef.kind", roleRef.kind ?? "", kinds));
      if (!roleRef.name) errors.push(fieldRequired("roleRef.name"));
      else
        errors.push(
          ...pathSegmentErrors(roleRef.name).map((m) => fieldInvalid("roleRef.name", roleRef.name, m)),
        );
      const subjects = (binding.subjects as Subject[] | undefined) ?? [];
      errors.push(...subjects.flatMap((s, i) => validateSubject(s, namespaced, `subjects[${i}]`)));
      if (old && roleRefChanged(old.roleRef as Partial<RoleRef>, roleRef)) {
        // The internal rbac.RoleRef has no String method, so the error prints it with %#v.
        const shown = `rbac.RoleRef{APIGroup:${JSON.stringify(roleRef.apiGroup ?? "")}, Kind:${JSON.stringify(roleRef.kind ?? "")}, Name:${JSON.stringify(roleRef.name ?? "")}}`;
        errors.push({
          type: "FieldValueInvalid",
          field: "roleRef",
          body: `Invalid value: ${shown}: cannot change roleRef`,
        });
      }
      return errors;
    },
  };
}

interface AggregationRule {
  clusterRoleSelectors?: { matchLabels?: Record<string, string> }[];
}

/** Stores whose aggregation is running: its own writes must not start it again. */
const aggregating = new WeakSet<ObjectStore>();

/**
 * The clusterrole-aggregation controller, run after every ClusterRole write: until nothing
 * changes, each aggregated role gets the union of the rules of the roles its selectors match.
 * One role at a time, from a fresh list, since a role it writes (view) may feed another (edit).
 */
function aggregate(store: ObjectStore): void {
  if (aggregating.has(store)) return;
  aggregating.add(store);
  try {
    while (aggregateOne(store)) {}
  } finally {
    aggregating.delete(store);
  }
}

/** Updates the first aggregated role whose rules are out of date; false when none is. */
function aggregateOne(store: ObjectStore): boolean {
  const roles = store.list("clusterroles");
  for (const target of roles.filter((r) => r.aggregationRule)) {
    const selectors = (target.aggregationRule as AggregationRule).clusterRoleSelectors ?? [];
    const rules: PolicyRule[] = [];
    for (const source of roles) {
      if (source.metadata.name === target.metadata.name) continue;
      if (!selectors.some((s) => labelSelectorMatches(s, source.metadata.labels ?? {}))) continue;
      for (const r of (source.rules as PolicyRule[] | undefined) ?? []) {
        if (!rules.some((existing) => JSON.stringify(existing) === JSON.stringify(r))) rules.push(r);
      }
    }
    if (JSON.stringify(rules) !== JSON.stringify(target.rules)) {
      store.update({ ...target, rules });
      return true;
    }
  }
  return false;
}

export const roles = roleBehaviour(true);
export const rolebindings = bindingBehaviour(true);
export const clusterrolebindings = bindingBehaviour(false);
export const clusterroles: KindBehaviour = {
  ...roleBehaviour(false),
  afterWrite: (_role, store) => aggregate(store),
  afterDelete: (_role, store) => aggregate(store),
};
