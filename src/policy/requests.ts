import type { Subjects } from "../config/fields.ts";
import type { RequestOnCall } from "../config/oncall-schema.ts";
import type { Config } from "../config/schema.ts";
import type { Principal } from "../shared/principal.ts";
import { type AccessAsk, resolveAsk } from "./ask.ts";
import { coverage } from "./coverage.ts";
import type { Refusal } from "./decision.ts";
import { notCoveredReason } from "./reasons.ts";
import { governingRule } from "./request-rule.ts";
import { decideStanding } from "./standing.ts";

export type RequestDecision =
  | {
      allowed: true;
      maxDurationSeconds: number;
      approvers: Subjects;
      approvalsRequired: number;
      reasonRequired: boolean;
      /** Approve at once: the role is low-risk, or the principal is in the rule's autoApprove. */
      autoApprove: boolean;
      /** How long the request may wait for approvers before it expires. */
      pendingTtlSeconds: number;
      /** The rule's on-call schedule and what its person on call may do (on-call.ts). */
      onCall?: RequestOnCall;
    }
  | Refusal;

/** May the principal ask for this access, and on what terms? Deny by default. */
export function decideRequest(config: Config, principal: Principal, ask: AccessAsk): RequestDecision {
  const resolved = resolveAsk(config, ask);
  if (resolved.kind !== "resolved") return resolved;
  const { role } = resolved;
  const { applicable, covering } = coverage(config.policies.requests, principal, ask, role);
  const governing = governingRule(covering, principal, role);
  if (governing) {
    const { rule } = governing;
    return {
      allowed: true,
      maxDurationSeconds: governing.maxDurationSeconds,
      approvers: rule.approvers,
      approvalsRequired: rule.approvals,
      reasonRequired: rule.reasonRequired,
      autoApprove: governing.autoApprove,
      pendingTtlSeconds: rule.pendingTtl,
      ...(rule.onCall ? { onCall: rule.onCall } : {}),
    };
  }
  // Someone who may already hold it needs no request; say so rather than only "no".
  const next = decideStanding(config, principal, ask).allowed
    ? "it needs no approval: get it with kubectl broker kubeconfig"
    : "ask the broker's administrators for access";
  return {
    allowed: false,
    kind: "denied",
    reason: `${notCoveredReason("request", principal, ask, role, applicable)}; ${next}`,
  };
}
