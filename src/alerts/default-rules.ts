import { type DEFAULT_ALERT_RULES, LOCKED_ALERT_RULES } from "../config/alerts-schema.ts";
import type { AlertsConfig, Config } from "../config/schema.ts";
import { privilegedReason } from "../policy/index.ts";
import type { AlertRule } from "./alert-rule.ts";

type DefaultName = (typeof DEFAULT_ALERT_RULES)[number];

/**
 * The rules that ship enabled, built from the config they depend on (sensitive namespaces,
 * privileged roles, business hours). docs/alerts.md says why each exists; keep the two in step.
 */
function defaultRules(config: Pick<Config, "alerts" | "roles">): Record<DefaultName, AlertRule> {
  const { sensitiveNamespaces, businessHours } = config.alerts;
  const adminRoles = config.roles.filter((role) => privilegedReason(role)).map((role) => role.name);
  const rule = (name: DefaultName, fields: Omit<AlertRule, "name" | "enabled" | "dryRun">): AlertRule => ({
    name,
    enabled: true,
    dryRun: false,
    ...fields,
  });
  return {
    "exec-in-sensitive-namespace": rule("exec-in-sensitive-namespace", {
      severity: "critical",
      description: "A shell, attach or port-forward into a pod of a sensitive namespace",
      match: { subresource: ["exec", "attach", "portforward"], namespace: sensitiveNamespaces },
    }),
    "secret-read": rule("secret-read", {
      severity: "warning",
      description: "Secrets were read or listed through the gateway",
      match: { apiGroup: [""], resource: ["secrets"], verb: ["get", "list", "watch"], decision: ["allowed"] },
    }),
    "rbac-changed": rule("rbac-changed", {
      severity: "warning",
      description: "An RBAC Role, ClusterRole or binding was created, changed or deleted through the gateway",
      match: {
        apiGroup: ["rbac.authorization.k8s.io"],
        resource: ["roles", "rolebindings", "clusterroles", "clusterrolebindings"],
        verb: ["create", "update", "patch", "delete", "deletecollection"],
        decision: ["allowed"],
      },
    }),
    "namespace-deleted": rule("namespace-deleted", {
      severity: "critical",
      description: "A namespace was deleted through the gateway",
      match: { apiGroup: [""], resource: ["namespaces"], verb: ["delete"], decision: ["allowed"] },
    }),
    "refusal-burst": rule("refusal-burst", {
      severity: "warning",
      description: "Many requests of one user were refused in a short time",
      match: { decision: ["denied-by-broker", "denied-by-cluster"] },
      threshold: { count: 20, window: 300, groupBy: "user" },
    }),
    "admin-grant-started": rule("admin-grant-started", {
      severity: "critical",
      description: "A grant of an admin-level (privileged or cluster-admin) role started",
      match: { event: ["grant.started"], role: adminRoles },
    }),
    "new-source-ip": rule("new-source-ip", {
      severity: "warning",
      description: "A user's credentials were used from a source IP not seen for them in 30 days",
      match: { type: "request" },
      firstSeen: { of: "sourceIp", days: 30 },
    }),
    "approved-outside-business-hours": rule("approved-outside-business-hours", {
      severity: "warning",
      description: "An access request was approved outside business hours",
      match: { event: ["request.approved"] },
      schedule: {
        timeZone: businessHours.timeZone,
        outside: businessHours.hours,
        weekdays: businessHours.weekdays,
      },
    }),
    "break-glass-started": rule("break-glass-started", {
      severity: "critical",
      description: "Someone took break-glass access: a grant approved only by its own holder started",
      match: { event: ["grant.started"], grantKind: ["break-glass"] },
    }),
  };
}

/**
 * Every rule the evaluator runs: the defaults, as `alerts.defaults` switches or changes
 * them, then the configured rules, where one named like a default replaces it.
 */
export function effectiveRules(config: Pick<Config, "alerts" | "roles">): AlertRule[] {
  const alerts: AlertsConfig = config.alerts;
  // Locked rules (break-glass) stay as shipped; check-config refuses a config that tries.
  const locked = new Set<string>(LOCKED_ALERT_RULES);
  const configured = new Set(alerts.rules.map((rule) => rule.name));
  const defaults = Object.values(defaultRules(config))
    .filter((rule) => locked.has(rule.name) || !configured.has(rule.name))
    .map((rule) => (locked.has(rule.name) ? rule : { ...rule, ...alerts.defaults[rule.name] }));
  const own = alerts.rules.filter((rule) => !locked.has(rule.name));
  return [...defaults, ...own].filter((rule) => rule.enabled);
}
