import type { Config } from "../config/schema.ts";
import type { Principal } from "../shared/principal.ts";
import { type AccessAsk, quote, resolveAsk } from "./ask.ts";
import { coverage, ruleApplies } from "./coverage.ts";
import type { Refusal } from "./decision.ts";
import { notCoveredReason } from "./reasons.ts";
import { requestRuleFor } from "./request-rule.ts";

export type StandingDecision = { allowed: true; maxTtlSeconds: number } | Refusal;

/**
 * May the principal hold this role here without anyone's approval, and for how long at most?
 * Deny by default; when several standing rules cover the ask the most generous TTL wins, and
 * every TTL is capped by the role's own maxTtl.
 */
export function decideStanding(config: Config, principal: Principal, ask: AccessAsk): StandingDecision {
  const resolved = resolveAsk(config, ask);
  if (resolved.kind !== "resolved") return resolved;
  const { role } = resolved;
  const { applicable, covering } = coverage(config.policies.standing, principal, ask, role);
  if (covering.length > 0) {
    const ttls = covering.map((rule) => Math.min(rule.maxTtl ?? role.maxTtl, role.maxTtl));
    return { allowed: true, maxTtlSeconds: Math.max(...ttls) };
  }
  // Point the person at the way that can work: a request if policy lets them make one.
  const next = requestRuleFor(config, principal, ask, role)
    ? "ask for it with kubectl broker request"
    : "no request policy covers it either; ask the broker's administrators for access";
  return {
    allowed: false,
    kind: "denied",
    reason: `${notCoveredReason("hold", principal, ask, role, applicable)}; ${next}`,
  };
}

export type StandingEverywhereDecision =
  | { allowed: true; patterns: string[]; maxTtlSeconds: number }
  | Refusal;

/**
 * A namespaced role in every namespace the principal's standing rules allow on a cluster —
 * what a kubeconfig context without -n asks for: the union of those rules' namespace
 * patterns, for the shortest of their TTLs (the grant spans every rule's namespaces).
 */
export function decideStandingEverywhere(
  config: Config,
  principal: Principal,
  cluster: string,
  roleName: string,
): StandingEverywhereDecision {
  const role = config.roles.find((r) => r.name === roleName);
  if (role?.scope !== "namespaced" || !config.clusters.some((c) => c.name === cluster)) {
    const resolved = resolveAsk(config, { cluster, role: roleName, namespaces: [] });
    return resolved.kind === "resolved"
      ? { allowed: false, kind: "invalid", reason: `role ${quote(roleName)} takes no namespaces` }
      : resolved;
  }
  const ask = { cluster, role: role.name, namespaces: [] };
  const rules = config.policies.standing.filter((rule) => ruleApplies(rule, principal, ask));
  if (rules.length === 0) {
    return {
      allowed: false,
      kind: "denied",
      reason:
        `no policy lets ${principal.name} hold role ${quote(role.name)} in any namespace of cluster ` +
        `${quote(cluster)} without approval; name the namespaces with -n and ask for them with kubectl broker request`,
    };
  }
  return {
    allowed: true,
    patterns: [...new Set(rules.flatMap((rule) => rule.namespaces))].sort(),
    maxTtlSeconds: Math.min(...rules.map((rule) => Math.min(rule.maxTtl ?? role.maxTtl, role.maxTtl))),
  };
}
