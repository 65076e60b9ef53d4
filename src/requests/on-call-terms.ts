import type { RequestOnCall } from "../config/oncall-schema.ts";
import { isOnCall } from "../policy/index.ts";
import type { Principal } from "../shared/principal.ts";
import type { Decision, RequestOnCallRecord } from "./access-request.ts";

/** Who is on call in a schedule: what requests need of the on-call feature. */
export interface OnCallLookup {
  /** undefined when the schedule was never read (or is not configured). */
  onCallAt(schedule: string, at: number): { people: string[]; stale: boolean } | undefined;
}

/** What the rule's on-call schedule settles about a new request. */
export interface OnCallTerms {
  /** Who was on call, kept on the request. */
  record?: RequestOnCallRecord;
  /** The requester is on call and the rule approves their requests at once. */
  approval?: Decision;
  /** The schedule could not say: its rule applies without it (logged by the caller). */
  unavailable?: string;
}

/**
 * Asks the rule's schedule who is on call now. A schedule that cannot answer (never read:
 * the feed has been down since the broker started and Redis holds no copy) leaves the request
 * to the rule's approvers rather than blocking it.
 */
export function onCallTerms(
  rule: RequestOnCall,
  lookup: OnCallLookup | undefined,
  requester: Principal,
  now: number,
): OnCallTerms {
  const answer = lookup?.onCallAt(rule.schedule, now);
  if (!answer) return { unavailable: rule.schedule };
  const record: RequestOnCallRecord = {
    schedule: rule.schedule,
    people: answer.people,
    ...(answer.stale ? { stale: true as const } : {}),
  };
  if (!rule.autoApprove || !isOnCall(requester, answer.people)) return { record };
  return {
    record,
    approval: {
      by: "on-call policy",
      subject: "",
      at: now,
      comment: `${requester.name} is on call in schedule ${rule.schedule}`,
      automatic: true,
      onCall: true,
    },
  };
}
