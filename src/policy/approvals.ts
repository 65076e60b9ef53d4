import type { RequestOnCall } from "../config/oncall-schema.ts";
import type { Config } from "../config/schema.ts";
import type { Principal } from "../shared/principal.ts";
import { type AccessAsk, describeWhere, quote } from "./ask.ts";
import type { Refusal } from "./decision.ts";
import { isOnCall, type OnCallSnapshot } from "./on-call.ts";
import { decideRequest } from "./requests.ts";
import { matchesSubjects } from "./subjects.ts";

export type ApprovalDecision =
  | {
      allowed: true;
      /**
       * Set when the approver was on call under the rule's schedule when the request was
       * made, and the rule lets that count: `alone` means their approval completes it.
       */
      onCall?: { schedule: string; alone: boolean };
    }
  | Refusal;

/**
 * May this person approve (or deny) this request? Never the requester themself; otherwise
 * only an approver of the rule that governs the request under the current config, so an
 * approver removed from policy loses the right at once, and a request no rule covers any
 * more cannot be approved by anyone. The person on call when the request was made (its
 * `onCall` snapshot) may approve too, if the governing rule still names that schedule and
 * lets its person on call approve, even when not among the approvers.
 */
export function canApprove(
  config: Config,
  approver: Principal,
  request: { requester: Principal; onCall?: OnCallSnapshot | undefined } & AccessAsk,
): ApprovalDecision {
  if (approver.subject === request.requester.subject) {
    return denied("you cannot approve your own request; another approver has to");
  }
  const ask: AccessAsk = { cluster: request.cluster, role: request.role, namespaces: request.namespaces };
  const what = `role ${quote(ask.role)} ${describeWhere(ask.cluster, ask.namespaces)}`;
  const decision = decideRequest(config, request.requester, ask);
  if (!decision.allowed) {
    return denied(`no request policy covers this request for ${what} any more, so it cannot be approved`);
  }
  const onCall = onCallRight(decision.onCall, request.onCall, approver);
  if (onCall) return { allowed: true, onCall };
  if (!matchesSubjects(decision.approvers, approver)) {
    // Who the approvers are is not said: the list may name other people.
    return denied(`${approver.name} is not an approver for requests for ${what}`);
  }
  return { allowed: true };
}

function onCallRight(
  rule: RequestOnCall | undefined,
  snapshot: OnCallSnapshot | undefined,
  approver: Principal,
): { schedule: string; alone: boolean } | undefined {
  if (!rule || rule.approve === "no" || !snapshot || snapshot.schedule !== rule.schedule) return undefined;
  if (!isOnCall(approver, snapshot.people)) return undefined;
  return { schedule: rule.schedule, alone: rule.approve === "alone" };
}

function denied(reason: string): Refusal {
  return { allowed: false, kind: "denied", reason };
}
