import type { Config, RequestRule, RoleConfig } from "../config/schema.ts";
import type { Principal } from "../shared/principal.ts";
import type { AccessAsk } from "./ask.ts";
import { coverage } from "./coverage.ts";
import { matchesSubjects } from "./subjects.ts";

/** The request rule that governs an ask, with what it means for this principal and role. */
export interface GoverningRule {
  rule: RequestRule;
  maxDurationSeconds: number;
  autoApprove: boolean;
}

/**
 * Of the request rules covering an ask, the one that governs it: the longest duration wins;
 * on a tie, auto-approval, then fewer approvals needed, then the first in the file. One rule
 * decides everything about a request (duration, approvers, approvals), so the approvers the
 * requester is shown are exactly those who may approve.
 */
export function governingRule(
  covering: readonly RequestRule[],
  principal: Principal,
  role: RoleConfig,
): GoverningRule | undefined {
  let best: GoverningRule | undefined;
  for (const rule of covering) {
    const candidate: GoverningRule = {
      rule,
      maxDurationSeconds: Math.min(rule.maxDuration, role.maxTtl),
      autoApprove:
        role.lowRisk || (rule.autoApprove !== undefined && matchesSubjects(rule.autoApprove, principal)),
    };
    if (!best || moreGenerous(candidate, best)) best = candidate;
  }
  return best;
}

/** The governing request rule for an ask whose role is already resolved, if any rule covers it. */
export function requestRuleFor(
  config: Config,
  principal: Principal,
  ask: AccessAsk,
  role: RoleConfig,
): GoverningRule | undefined {
  return governingRule(coverage(config.policies.requests, principal, ask, role).covering, principal, role);
}

function moreGenerous(a: GoverningRule, b: GoverningRule): boolean {
  if (a.maxDurationSeconds !== b.maxDurationSeconds) return a.maxDurationSeconds > b.maxDurationSeconds;
  if (a.autoApprove !== b.autoApprove) return a.autoApprove;
  return a.rule.approvals < b.rule.approvals;
}
