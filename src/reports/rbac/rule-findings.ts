import { CLUSTER_WIDE, type HeldRule, ruleAllowsAnyName } from "./effective-rules.ts";
import { describeRule, type Finding, fromBinding } from "./finding.ts";
import type { PolicyRule } from "./rbac-reader.ts";

/**
 * The critical and high findings: what a subject can do through the rules it holds. Each
 * check is reported once per subject, binding and scope, naming the first rule that trips it;
 * a subject that holds everything (critical) is not reported again for each part of it.
 */
const RBAC = "rbac.authorization.k8s.io";
/** Subjects that stand for everyone (signed in or not). */
export const EVERYONE = new Set([
  "User:system:anonymous",
  "Group:system:unauthenticated",
  "Group:system:authenticated",
]);
const WORKLOADS: [string, string][] = [
  ["", "pods"],
  ["", "replicationcontrollers"],
  ["apps", "deployments"],
  ["apps", "daemonsets"],
  ["apps", "statefulsets"],
  ["apps", "replicasets"],
  ["batch", "jobs"],
  ["batch", "cronjobs"],
];

interface RuleCheck {
  check: string;
  what: string;
  fix: string;
  trips(rule: PolicyRule, scope: string): boolean;
}

/** Whether the rule allows any of the verbs on any of the resources (group, resource). */
const allowsAny = (rule: PolicyRule, verbs: string[], resources: [string, string][]) =>
  verbs.some((verb) =>
    resources.some(([apiGroup, resource]) => ruleAllowsAnyName(rule, { verb, apiGroup, resource })),
  );

const HIGH: RuleCheck[] = [
  {
    check: "escalate-or-bind",
    what: "escalate or bind roles: can give anyone any permission",
    fix: "drop escalate and bind; let kube-broker grants or a reviewed pipeline create bindings",
    trips: (rule) =>
      allowsAny(
        rule,
        ["escalate", "bind"],
        [
          [RBAC, "roles"],
          [RBAC, "clusterroles"],
        ],
      ),
  },
  {
    check: "impersonate",
    what: "impersonate users, groups or ServiceAccounts",
    fix: "remove impersonate; grant the impersonated identity's access through kube-broker instead",
    trips: (rule) =>
      allowsAny(
        rule,
        ["impersonate"],
        [
          ["", "users"],
          ["", "groups"],
          ["", "serviceaccounts"],
        ],
      ),
  },
  {
    check: "create-token",
    what: "create serviceaccounts/token: mint tokens for any ServiceAccount in scope",
    fix: "remove create on serviceaccounts/token, or limit it to named accounts (resourceNames)",
    trips: (rule) => allowsAny(rule, ["create"], [["", "serviceaccounts/token"]]),
  },
  {
    check: "secrets-cluster-wide",
    what: "read Secrets in every namespace",
    fix: "bind the Secret access per namespace with a RoleBinding, and only where needed",
    trips: (rule, scope) =>
      scope === CLUSTER_WIDE && allowsAny(rule, ["get", "list", "watch"], [["", "secrets"]]),
  },
  {
    check: "exec-attach-node-proxy",
    what: "pods/exec, pods/attach or nodes/proxy: run commands in containers or reach the kubelet",
    fix: "remove these subresources from standing roles; hand them out as short kube-broker grants",
    trips: (rule) =>
      allowsAny(
        rule,
        ["get", "create"],
        [
          ["", "pods/exec"],
          ["", "pods/attach"],
          ["", "nodes/proxy"],
        ],
      ),
  },
  {
    check: "kube-system-workloads",
    what: "create pods or workloads in kube-system",
    fix: "remove create on pods and workloads in kube-system (and cluster-wide) from this subject",
    trips: (rule, scope) =>
      (scope === CLUSTER_WIDE || scope === "kube-system") && allowsAny(rule, ["create"], WORKLOADS),
  },
  {
    check: "wildcard",
    what: "a wildcard in verbs, resources or API groups: grows with every new API",
    fix: "list the verbs, resources and API groups the subject needs",
    trips: (rule) =>
      [rule.verbs, rule.resources ?? [], rule.apiGroups ?? []].some((list) => list.includes("*")),
  },
];

export function ruleFindings(held: HeldRule[]): Finding[] {
  const findings: Finding[] = [];
  for (const group of groupBySubjectAndBinding(held)) {
    const [{ subject, binding, scope }] = group as [HeldRule];
    const where = fromBinding(binding, subject, scope);
    // Bindings to everyone are reported whole by bindingFindings.
    if (EVERYONE.has(`${subject.kind}:${subject.name}`)) continue;
    const all = group.find((h) => isEverything(h.rule));
    if (binding.roleRef.kind === "ClusterRole" && binding.roleRef.name === "cluster-admin") {
      findings.push({
        severity: "critical",
        check: "cluster-admin",
        ...where,
        what: "cluster-admin: everything",
        ...(all ? { rule: all.rule } : {}),
        fix: CLUSTER_ADMIN_FIX,
      });
      continue;
    }
    if (all) {
      findings.push({
        severity: "critical",
        check: "cluster-admin",
        ...where,
        what: `${describeRule(all.rule)}: everything`,
        rule: all.rule,
        fix: CLUSTER_ADMIN_FIX,
      });
      continue;
    }
    for (const check of HIGH) {
      const tripped = group.find((h) => check.trips(h.rule, h.scope));
      if (tripped) {
        findings.push({
          severity: "high",
          check: check.check,
          ...where,
          what: `${check.what} (${describeRule(tripped.rule)})`,
          rule: tripped.rule,
          fix: check.fix,
        });
      }
    }
  }
  return findings;
}

const CLUSTER_ADMIN_FIX =
  "bind a narrower role (view, edit, or one written for the job), or hand out admin as a kube-broker grant that ends";

/** `*` verbs on `*` resources: everything the API has, now and later. */
function isEverything(rule: PolicyRule): boolean {
  return rule.verbs.includes("*") && (rule.resources ?? []).includes("*");
}

/** Held rules grouped by binding, subject and scope (the unit a finding names). */
function groupBySubjectAndBinding(held: HeldRule[]): HeldRule[][] {
  const groups = new Map<string, HeldRule[]>();
  for (const h of held) {
    const key = JSON.stringify([
      h.binding.kind,
      h.binding.metadata.namespace,
      h.binding.metadata.name,
      h.subject,
    ]);
    groups.set(key, [...(groups.get(key) ?? []), h]);
  }
  return [...groups.values()];
}
