import type { Config } from "../config/schema.ts";
import type { Principal } from "../shared/principal.ts";
import { type AccessAsk, describeWhere, quote } from "./ask.ts";
import type { Refusal } from "./decision.ts";
import { decideRequest } from "./requests.ts";
import { matchesSubjects } from "./subjects.ts";

export type ApprovalDecision = { allowed: true } | Refusal;

/**
 * May this person approve (or deny) this request? Never the requester themself; otherwise
 * only an approver of the rule that governs the request under the current config, so an
 * approver removed from policy loses the right at once, and a request no rule covers any
 * more cannot be approved by anyone.
 */
export function canApprove(
  config: Config,
  approver: Principal,
  request: { requester: Principal } & AccessAsk,
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
  if (!matchesSubjects(decision.approvers, approver)) {
    // Who the approvers are is not said: the list may name other people.
    return denied(`${approver.name} is not an approver for requests for ${what}`);
  }
  return { allowed: true };
}

function denied(reason: string): Refusal {
  return { allowed: false, kind: "denied", reason };
}
