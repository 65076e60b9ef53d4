import type { Config } from "../config/schema.ts";
import { type AccessAsk, decideBreakGlass, decideRequest, refusalError } from "../policy/index.ts";
import { formatDuration } from "../shared/duration.ts";
import { Invalid } from "../shared/errors.ts";
import type { Principal } from "../shared/principal.ts";
import type { Decision } from "./access-request.ts";
import { type OnCallLookup, type OnCallTerms, onCallTerms } from "./on-call-terms.ts";

export interface NewRequest extends AccessAsk {
  durationSeconds: number;
  reason: string;
  /** An emergency: approved at once by the requester, under a rule's `breakGlass`. */
  breakGlass?: boolean;
}

/** What policy and the ask settle about a new request before anything is stored. */
export interface RequestTerms {
  reason: string;
  approvalsRequired: number;
  pendingTtlSeconds: number;
  /** Set when the request is approved at once: by an auto-approval rule, or break-glass. */
  approval?: Decision;
  breakGlass: boolean;
  /** Who was on call in the rule's schedule, if it names one (on-call-terms.ts). */
  onCall?: OnCallTerms;
}

const MIN_DURATION_SECONDS = 60;
const BREAK_GLASS_PENDING_SECONDS = 300;

/**
 * The terms of a new request, or the refusal: policy first (403, or 422 for an ask that makes
 * no sense), then the duration against the maximum, then the reason. Nothing is stored yet,
 * so a refusal here changes nothing.
 */
export function requestTerms(
  config: Config,
  requester: Principal,
  input: NewRequest,
  now: number,
  onCall?: OnCallLookup,
): RequestTerms {
  return input.breakGlass
    ? breakGlassTerms(config, requester, input, now)
    : approvalTerms(config, requester, input, now, onCall);
}

function approvalTerms(
  config: Config,
  requester: Principal,
  input: NewRequest,
  now: number,
  lookup: OnCallLookup | undefined,
): RequestTerms {
  const decision = decideRequest(config, requester, input);
  if (!decision.allowed) throw refusalError(decision);
  checkDuration(input.durationSeconds, decision.maxDurationSeconds, "for this request");
  const reason = input.reason.trim();
  if (decision.reasonRequired && reason === "") {
    throw new Invalid(
      "a reason is required for this request (for example a ticket or incident id): use --reason",
    );
  }
  const onCall = decision.onCall ? onCallTerms(decision.onCall, lookup, requester, now) : undefined;
  const approval: Decision | undefined = decision.autoApprove
    ? { by: "auto-approval policy", subject: "", at: now, comment: "", automatic: true }
    : onCall?.approval;
  return {
    reason,
    approvalsRequired: decision.approvalsRequired,
    pendingTtlSeconds: decision.pendingTtlSeconds,
    breakGlass: false,
    ...(approval ? { approval } : {}),
    ...(onCall ? { onCall } : {}),
  };
}

/**
 * Break-glass: the requester approves their own request, at once, so the reason is what
 * reviewers read afterwards; it is never optional, whatever the rule's reasonRequired says.
 */
function breakGlassTerms(config: Config, requester: Principal, input: NewRequest, now: number): RequestTerms {
  const decision = decideBreakGlass(config, requester, input);
  if (!decision.allowed) throw refusalError(decision);
  checkDuration(input.durationSeconds, decision.maxDurationSeconds, "for break-glass access");
  const reason = input.reason.trim();
  if (reason === "") {
    throw new Invalid(
      'break-glass access needs a reason (the incident, and why it cannot wait for an approver): use --reason "…"',
    );
  }
  return {
    reason,
    approvalsRequired: 1,
    // Approved right after it is stored; a pending deadline in the past would let the expiry
    // worker race that approval.
    pendingTtlSeconds: BREAK_GLASS_PENDING_SECONDS,
    breakGlass: true,
    approval: { by: requester.name, subject: requester.subject, at: now, comment: "break-glass" },
  };
}

function checkDuration(seconds: number, max: number, what: string): void {
  if (!Number.isInteger(seconds) || seconds < MIN_DURATION_SECONDS) {
    throw new Invalid(`the duration must be at least ${formatDuration(MIN_DURATION_SECONDS)}`);
  }
  if (seconds > max) {
    throw new Invalid(
      `the duration ${formatDuration(seconds)} exceeds the maximum of ${formatDuration(max)} ${what}`,
    );
  }
}
