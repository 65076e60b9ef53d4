import type { OnCallSnapshot } from "../policy/index.ts";
import type { Principal } from "../shared/principal.ts";

export type RequestState = "pending" | "approved" | "denied" | "expired" | "canceled";

export interface Decision {
  by: string;
  subject: string;
  at: number;
  comment: string;
  /** Approved by an auto-approval rule, not by a person. */
  automatic?: boolean;
  /** Approved by the person on call in the rule's schedule (on-call.ts), or for being on call. */
  onCall?: true;
}

/**
 * Who was on call in the governing rule's schedule when the request was made: they may
 * approve it (as the rule says) and are named first in its notification. `stale` when the
 * feed was down and the last good copy answered.
 */
export interface RequestOnCallRecord extends OnCallSnapshot {
  stale?: true;
}

/** A just-in-time access request: asked for, decided by others, and at most one grant. Times in ms. */
export interface AccessRequest {
  id: string;
  /** Bumped on every change; updates are compare-and-set on it. */
  version: number;
  requester: Principal;
  cluster: string;
  role: string;
  namespaces: string[];
  /** How long the grant lasts once approved (it starts at approval). */
  durationSeconds: number;
  reason: string;
  /**
   * Break-glass: asked in an emergency under a rule's `breakGlass`, approved at once by the
   * requester, and its grant is of kind break-glass (always alerted on, listed in reviews).
   */
  breakGlass?: true;
  createdAt: number;
  /** A pending request expires at this instant. */
  expiresAt: number;
  approvalsRequired: number;
  state: RequestState;
  approvals: Decision[];
  denial?: Decision;
  decidedAt?: number;
  grantId?: string;
  /** Why the grant could not be provisioned after approval, if it could not. */
  grantError?: string;
  onCall?: RequestOnCallRecord;
}

export function requestView(request: AccessRequest) {
  const iso = (ms: number) => new Date(ms).toISOString();
  const decision = (d: Decision) => ({
    by: d.by,
    at: iso(d.at),
    ...(d.comment ? { comment: d.comment } : {}),
    ...(d.automatic ? { automatic: true } : {}),
    ...(d.onCall ? { onCall: true } : {}),
  });
  return {
    id: request.id,
    requester: request.requester.name,
    cluster: request.cluster,
    role: request.role,
    namespaces: request.namespaces,
    duration: request.durationSeconds,
    reason: request.reason,
    ...(request.breakGlass ? { breakGlass: true } : {}),
    state: request.state,
    createdAt: iso(request.createdAt),
    expiresAt: iso(request.expiresAt),
    approvalsRequired: request.approvalsRequired,
    approvals: request.approvals.map(decision),
    ...(request.denial ? { denial: decision(request.denial) } : {}),
    ...(request.decidedAt ? { decidedAt: iso(request.decidedAt) } : {}),
    ...(request.grantId ? { grantId: request.grantId } : {}),
    ...(request.grantError ? { grantError: request.grantError } : {}),
    ...(request.onCall ? { onCall: request.onCall } : {}),
  };
}

/** The JSON body of a request in API answers (the CLI reads it). */
export type RequestView = ReturnType<typeof requestView>;
