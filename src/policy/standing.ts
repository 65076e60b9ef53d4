import type { Config } from "../config/schema.ts";
import type { Principal } from "../shared/principal.ts";
import { type AccessAsk, resolveAsk } from "./ask.ts";
import { coverage } from "./coverage.ts";
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
