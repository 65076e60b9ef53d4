import type { Subjects } from "../config/fields.ts";
import type { Config, RoleConfig } from "../config/schema.ts";
import type { Principal } from "../shared/principal.ts";
import type { PolicyRule } from "./coverage.ts";
import { globMatch } from "./glob.ts";
import { governingRule } from "./request-rule.ts";
import { matchesSubjects } from "./subjects.ts";

interface Placement {
  cluster: string;
  role: string;
  scope: RoleConfig["scope"];
  /** Namespace names or globs; empty for cluster-wide roles. */
  namespaces: string[];
}

export interface StandingEntitlement extends Placement {
  maxTtlSeconds: number;
}

export interface RequestableEntitlement extends Placement {
  maxDurationSeconds: number;
  approvers: Subjects;
  approvalsRequired: number;
  reasonRequired: boolean;
  autoApprove: boolean;
}

/** What a principal may hold at once and what it may ask for, for a `whoami`-style listing. */
export interface Entitlements {
  standing: StandingEntitlement[];
  requestable: RequestableEntitlement[];
}

/**
 * Every rule about the principal, expanded over the configured clusters its patterns match
 * and the roles it names; rules that land on the same cluster, role and namespace patterns
 * are merged the way a decision would merge them.
 */
export function entitlements(config: Config, principal: Principal): Entitlements {
  const standing = placements(config, principal, config.policies.standing).map(({ place, role, rules }) => ({
    ...place,
    maxTtlSeconds: Math.max(...rules.map((rule) => Math.min(rule.maxTtl ?? role.maxTtl, role.maxTtl))),
  }));
  const requestable = placements(config, principal, config.policies.requests).map(
    ({ place, role, rules }) => {
      // Never undefined: every group holds at least one rule.
      const { rule, maxDurationSeconds, autoApprove } = governingRule(rules, principal, role)!;
      return {
        ...place,
        maxDurationSeconds,
        approvers: rule.approvers,
        approvalsRequired: rule.approvals,
        reasonRequired: rule.reasonRequired,
        autoApprove,
      };
    },
  );
  return { standing, requestable };
}

function placements<R extends PolicyRule>(
  config: Config,
  principal: Principal,
  rules: readonly R[],
): { place: Placement; role: RoleConfig; rules: R[] }[] {
  const groups = new Map<string, { place: Placement; role: RoleConfig; rules: R[] }>();
  for (const rule of rules) {
    if (!matchesSubjects(rule.subjects, principal)) continue;
    const clusters = config.clusters.filter((c) =>
      rule.clusters.some((pattern) => globMatch(pattern, c.name)),
    );
    const roles = config.roles.filter((r) => rule.roles.includes(r.name));
    for (const cluster of clusters) {
      for (const role of roles) {
        const namespaces = role.scope === "cluster" ? [] : [...new Set(rule.namespaces)].sort();
        const place = { cluster: cluster.name, role: role.name, scope: role.scope, namespaces };
        const key = JSON.stringify(place);
        const group = groups.get(key) ?? { place, role, rules: [] };
        group.rules.push(rule);
        groups.set(key, group);
      }
    }
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, group]) => group);
}
