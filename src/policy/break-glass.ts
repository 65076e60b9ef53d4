import type { Config } from "../config/schema.ts";
import type { Principal } from "../shared/principal.ts";
import { type AccessAsk, describeWhere, quote, resolveAsk } from "./ask.ts";
import { coverage } from "./coverage.ts";
import type { Refusal } from "./decision.ts";
import { notCoveredReason } from "./reasons.ts";

export type BreakGlassDecision = { allowed: true; maxDurationSeconds: number } | Refusal;

/**
 * May the principal take this access at once, with no approver, in an emergency? Only under
 * a request rule that already covers the ask (its subjects, clusters, roles, namespaces) and
 * is marked `breakGlass`; for at most the longest break-glass duration among such rules,
 * capped by that rule's maxDuration and the role's maxTtl. Deny by default.
 */
export function decideBreakGlass(config: Config, principal: Principal, ask: AccessAsk): BreakGlassDecision {
  const resolved = resolveAsk(config, ask);
  if (resolved.kind !== "resolved") return resolved;
  const { role } = resolved;
  const { applicable, covering } = coverage(config.policies.requests, principal, ask, role);
  let longest = 0;
  for (const rule of covering) {
    if (!rule.breakGlass) continue;
    longest = Math.max(longest, Math.min(rule.breakGlass.maxDuration, rule.maxDuration, role.maxTtl));
  }
  if (longest > 0) return { allowed: true, maxDurationSeconds: longest };
  const what = `role ${quote(role.name)} ${describeWhere(ask.cluster, ask.namespaces)}`;
  const reason =
    covering.length > 0
      ? `no request policy allows break-glass for ${principal.name} to ${what}; ask for it with approval instead (without --break-glass)`
      : `${notCoveredReason("request", principal, ask, role, applicable)}; break-glass is only for access a request rule covers`;
  return { allowed: false, kind: "denied", reason };
}
