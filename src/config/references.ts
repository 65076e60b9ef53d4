import { DEFAULT_ALERT_RULES, LOCKED_ALERT_RULES } from "./alerts-schema.ts";
import { gatewayAudience } from "./gateway-audience.ts";
import { idpReferences } from "./oidc-schema.ts";
import { onCallReferences } from "./oncall-schema.ts";
import type { Config } from "./schema.ts";

/** A problem the schema alone cannot see: names that point nowhere, duplicates, impossible limits. */
export interface Problem {
  path: string;
  message: string;
}

/** Cross-field checks over a config that already passed the schema. */
export function checkReferences(config: Config): Problem[] {
  const problems: Problem[] = [];
  const clusters = new Set(config.clusters.map((c) => c.name));
  // The first of duplicate names wins, as it would at run time.
  const roles = new Map(config.roles.toReversed().map((r) => [r.name, r]));

  duplicates(config.clusters, "clusters", problems);
  duplicates(config.roles, "roles", problems);
  duplicates(config.ci.rules, "ci.rules", problems);
  duplicates(config.notifications.webhooks, "notifications.webhooks", problems);
  duplicates(config.alerts.rules, "alerts.rules", problems);
  const defaultRules: readonly string[] = DEFAULT_ALERT_RULES;
  for (const name of Object.keys(config.alerts.defaults)) {
    if (!defaultRules.includes(name))
      problems.push({ path: `alerts.defaults.${name}`, message: `no default rule is named "${name}"` });
  }
  lockedAlertRules(config, problems);
  prefixFreeGateway(config, problems);
  problems.push(...idpReferences(config));
  problems.push(...onCallReferences(config));

  for (const [kind, rules] of [
    ["standing", config.policies.standing],
    ["requests", config.policies.requests],
  ] as const) {
    rules.forEach((rule, i) => {
      const base = `policies.${kind}.${i}`;
      rule.clusters.forEach((name, j) => {
        if (name !== "*" && !clusters.has(name)) {
          problems.push({ path: `${base}.clusters.${j}`, message: `unknown cluster "${name}"` });
        }
      });
      rule.roles.forEach((name, j) => {
        const role = roles.get(name);
        if (!role) {
          problems.push({ path: `${base}.roles.${j}`, message: `unknown role "${name}"` });
        } else if (role.scope === "namespaced" && rule.namespaces.length === 0) {
          problems.push({
            path: `${base}.namespaces`,
            message: `role "${name}" is namespaced: list the namespaces (or globs) it may be held in`,
          });
        }
      });
    });
  }

  config.ci.rules.forEach((rule, i) => {
    const base = `ci.rules.${i}`;
    if (!clusters.has(rule.cluster)) {
      problems.push({ path: `${base}.cluster`, message: `unknown cluster "${rule.cluster}"` });
    }
    const role = roles.get(rule.role);
    if (!role) {
      problems.push({ path: `${base}.role`, message: `unknown role "${rule.role}"` });
      return;
    }
    if (role.scope === "namespaced" && rule.namespaces.length === 0) {
      problems.push({
        path: `${base}.namespaces`,
        message: `role "${rule.role}" is namespaced: list namespaces`,
      });
    }
    if (rule.maxTtl > role.maxTtl) {
      problems.push({
        path: `${base}.maxTtl`,
        message: `${rule.maxTtl}s exceeds role "${rule.role}" maxTtl of ${role.maxTtl}s`,
      });
    }
  });
  // Each entry's last run is kept under its report and cluster, so two alike would share it.
  const scheduled = new Set<string>();
  config.reports.schedule.forEach((entry, i) => {
    const base = `reports.schedule.${i}`;
    if (entry.cluster !== undefined && !clusters.has(entry.cluster)) {
      problems.push({ path: `${base}.cluster`, message: `unknown cluster "${entry.cluster}"` });
    }
    const key = `${entry.report} ${entry.cluster ?? "(every cluster)"}`;
    if (scheduled.has(key)) problems.push({ path: base, message: `${key} is scheduled twice` });
    scheduled.add(key);
  });
  return problems;
}

/** Break-glass always fires a critical alert: its rule may be neither switched off, lowered nor replaced. */
function lockedAlertRules(config: Config, problems: Problem[]): void {
  const { defaults, rules } = config.alerts;
  for (const name of LOCKED_ALERT_RULES) {
    const override = defaults[name];
    if (override?.enabled === false)
      problems.push({
        path: `alerts.defaults.${name}.enabled`,
        message: `${name} cannot be switched off: break-glass access always fires a critical alert`,
      });
    if (override?.severity !== undefined && override.severity !== "critical")
      problems.push({
        path: `alerts.defaults.${name}.severity`,
        message: `${name} is always critical: break-glass access always fires a critical alert`,
      });
    rules.forEach((rule, i) => {
      if (rule.name === name)
        problems.push({
          path: `alerts.rules.${i}.name`,
          message: `"${name}" is a default rule that cannot be replaced; give your rule another name`,
        });
    });
  }
}

/**
 * The prefix-free listener needs a port of its own, and (choosing by audience) clusters that
 * share a gateway audience could not be told apart: a token would reach whichever came first.
 */
function prefixFreeGateway(config: Config, problems: Problem[]): void {
  const gateway = config.server.gateway;
  if (!gateway) return;
  if (gateway.listen === config.server.listen) {
    problems.push({ path: "server.gateway.listen", message: "must differ from server.listen" });
  }
  const seen = new Map<string, string>();
  config.clusters.forEach((cluster, i) => {
    if (cluster.tokenAudience !== "gateway") return;
    const audience = gatewayAudience(cluster);
    const first = seen.get(audience);
    if (first !== undefined && cluster.name !== first) {
      problems.push({
        path: `clusters.${i}.gatewayAudience`,
        message: `cluster "${first}" has the same gateway audience "${audience}"; each needs its own`,
      });
    }
    seen.set(audience, first ?? cluster.name);
  });
}

function duplicates(items: { name: string }[], path: string, problems: Problem[]): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.name))
      problems.push({ path: `${path}.${i}.name`, message: `duplicate name "${item.name}"` });
    seen.add(item.name);
  });
}
