import type { LifecycleSink } from "../audit/index.ts";
import type { Config } from "../config/schema.ts";
import type { NewGrant } from "../grants/index.ts";
import { type ApprovalDecision, canApprove, isAdmin } from "../policy/index.ts";
import type { Clock } from "../shared/clock.ts";
import { Conflict, Forbidden, NotFound } from "../shared/errors.ts";
import { randomId } from "../shared/ids.ts";
import type { Logger } from "../shared/logger.ts";
import type { Principal } from "../shared/principal.ts";
import type { AccessRequest, Decision } from "./access-request.ts";
import type { OnCallLookup } from "./on-call-terms.ts";
import { RequestEvents } from "./request-events.ts";
import { createdDetail } from "./request-messages.ts";
import type { RequestStore } from "./request-store.ts";
import { type NewRequest, requestTerms } from "./request-terms.ts";
import type { Notifier } from "./webhook-notifier.ts";

/** What an approved request needs from the grants feature: its grant, made at approval. */
export interface GrantMaker {
  create(input: NewGrant): Promise<{ id: string }>;
}

export type { NewRequest } from "./request-terms.ts";

/**
 * Just-in-time access: a principal asks, policy says on what terms (max duration, approvers,
 * how many approvals, reason), other people decide. Every change is a compare-and-set on the
 * request, so however many approvals race, exactly one of them moves the request to
 * `approved`, and only that one provisions the grant — which starts at approval and lasts
 * the requested duration. Break-glass requests (request-terms.ts) are approved at once by
 * their requester and give a grant of origin break-glass. Every transition is an audit
 * lifecycle event and a notification.
 */
export class RequestService {
  readonly #config: Config;
  readonly #store: RequestStore;
  readonly #grants: GrantMaker;
  readonly #clock: Clock;
  readonly #events: RequestEvents;
  readonly #onCall: OnCallLookup | undefined;
  readonly #logger: Logger;

  constructor(options: {
    config: Config;
    store: RequestStore;
    grants: GrantMaker;
    clock: Clock;
    lifecycle: LifecycleSink;
    notifier: Notifier;
    logger: Logger;
    /** Who is on call in the schedules request rules name; without it, on-call rules never apply. */
    onCall?: OnCallLookup;
  }) {
    this.#config = options.config;
    this.#store = options.store;
    this.#grants = options.grants;
    this.#clock = options.clock;
    this.#events = new RequestEvents(options);
    this.#onCall = options.onCall;
    this.#logger = options.logger;
  }

  async create(requester: Principal, input: NewRequest): Promise<AccessRequest> {
    const now = this.#clock.now();
    const terms = requestTerms(this.#config, requester, input, now, this.#onCall);
    if (terms.onCall?.unavailable)
      this.#logger.warn(
        { schedule: terms.onCall.unavailable },
        "on-call schedule never read: its rule applies without it (the rule's approvers decide)",
      );
    const request: AccessRequest = {
      id: randomId(8),
      version: 1,
      requester,
      cluster: input.cluster,
      role: input.role,
      namespaces: [...input.namespaces],
      durationSeconds: input.durationSeconds,
      reason: terms.reason,
      ...(terms.breakGlass ? { breakGlass: true as const } : {}),
      createdAt: now,
      expiresAt: now + terms.pendingTtlSeconds * 1000,
      approvalsRequired: terms.approvalsRequired,
      state: "pending",
      approvals: [],
      ...(terms.onCall?.record ? { onCall: terms.onCall.record } : {}),
    };
    await this.#store.create(request);
    if (!terms.approval) {
      await this.#events.announce("request.created", request, createdDetail(request));
      return request;
    }
    // Approved at once: approvers are told of the approval, not asked to approve.
    await this.#events.record("request.created", request, createdDetail(request));
    const approved: AccessRequest = {
      ...request,
      version: 2,
      state: "approved",
      decidedAt: now,
      approvals: [terms.approval],
    };
    if (!(await this.#store.compareAndSet(approved))) return (await this.#store.get(request.id)) ?? request;
    return this.#provision(approved, this.#approvedAtOnceBy(request, terms.approval));
  }

  /** A request the caller may see: their own, one they may decide, or any for an admin. */
  async get(caller: Principal, id: string): Promise<AccessRequest> {
    const request = await this.#store.get(id);
    if (!request || !this.#mayView(caller, request)) throw new NotFound(`access request "${id}" not found`);
    return this.#expireIfDue(request);
  }

  async list(
    caller: Principal,
    scope: "mine" | "review" | "all",
    state?: AccessRequest["state"],
  ): Promise<AccessRequest[]> {
    const found = new Map<string, AccessRequest>();
    if (scope !== "review")
      for (const r of await this.#store.listByRequester(caller.subject)) found.set(r.id, r);
    if (scope !== "mine") {
      for (const r of await this.#store.listPending()) {
        if (canApprove(this.#config, caller, r).allowed) found.set(r.id, r);
      }
    }
    const now = this.#clock.now();
    return [...found.values()]
      .map((r) => (r.state === "pending" && r.expiresAt <= now ? { ...r, state: "expired" as const } : r))
      .filter((r) => !state || r.state === state)
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  async approve(approver: Principal, id: string, comment = ""): Promise<AccessRequest> {
    for (;;) {
      const { request, allowed } = await this.#decidable(approver, id, "approve");
      if (request.approvals.some((a) => a.subject === approver.subject)) {
        const missing = request.approvalsRequired - request.approvals.length;
        throw new Conflict(
          `you have already approved request ${id}; it needs ${missing} more approval(s) from others`,
        );
      }
      const now = this.#clock.now();
      const onCall = allowed.onCall;
      const approvals = [
        ...request.approvals,
        {
          by: approver.name,
          subject: approver.subject,
          at: now,
          comment,
          ...(onCall ? { onCall: true as const } : {}),
        },
      ];
      // The person on call may approve alone where the rule says so: theirs completes it.
      const complete = approvals.length >= request.approvalsRequired || onCall?.alone === true;
      const by = onCall ? `${approver.name}, on call in schedule ${onCall.schedule}` : approver.name;
      const next: AccessRequest = {
        ...request,
        version: request.version + 1,
        approvals,
        ...(complete ? { state: "approved" as const, decidedAt: now } : {}),
      };
      if (!(await this.#store.compareAndSet(next))) continue;
      if (!complete) {
        await this.#events.record(
          "request.approved",
          next,
          `approval ${approvals.length} of ${next.approvalsRequired} by ${by}`,
        );
        return next;
      }
      return this.#provision(next, by);
    }
  }

  async deny(approver: Principal, id: string, comment = ""): Promise<AccessRequest> {
    for (;;) {
      const { request } = await this.#decidable(approver, id, "deny");
      const now = this.#clock.now();
      const next: AccessRequest = {
        ...request,
        version: request.version + 1,
        state: "denied",
        decidedAt: now,
        denial: { by: approver.name, subject: approver.subject, at: now, comment },
      };
      if (!(await this.#store.compareAndSet(next))) continue;
      await this.#events.announce(
        "request.denied",
        next,
        `denied by ${approver.name}${comment ? `: ${comment}` : ""}`,
        approver.name,
      );
      return next;
    }
  }

  async cancel(requester: Principal, id: string): Promise<AccessRequest> {
    for (;;) {
      const request = await this.#expireIfDue(await this.get(requester, id));
      if (request.requester.subject !== requester.subject)
        throw new Forbidden("only the requester can cancel a request");
      if (request.state !== "pending")
        throw new Conflict(`request ${id} is ${request.state}; only pending requests can be canceled`);
      const next: AccessRequest = {
        ...request,
        version: request.version + 1,
        state: "canceled",
        decidedAt: this.#clock.now(),
      };
      if (!(await this.#store.compareAndSet(next))) continue;
      await this.#events.record("request.canceled", next, "canceled by the requester");
      return next;
    }
  }

  /** Expires pending requests whose own TTL has passed (run by the expiry worker). */
  async expireDue(limit = 100): Promise<number> {
    let expired = 0;
    for (const id of await this.#store.pendingDue(this.#clock.now(), limit)) {
      const request = await this.#store.get(id);
      if (request && (await this.#expireIfDue(request)).state === "expired" && request.state === "pending")
        expired++;
    }
    return expired;
  }

  /** The request, pending and unexpired, and on what right the caller may decide it. */
  async #decidable(
    approver: Principal,
    id: string,
    verb: "approve" | "deny",
  ): Promise<{ request: AccessRequest; allowed: ApprovalDecision & { allowed: true } }> {
    const stored = await this.#store.get(id);
    if (!stored || !this.#mayView(approver, stored)) throw new NotFound(`access request "${id}" not found`);
    const request = await this.#expireIfDue(stored);
    if (request.state !== "pending")
      throw new Conflict(
        `request ${id} is ${request.state}; it can no longer be ${verb === "approve" ? "approved" : "denied"}`,
      );
    const allowed = canApprove(this.#config, approver, request);
    if (!allowed.allowed) throw new Forbidden(allowed.reason);
    return { request, allowed };
  }

  /** Who approved a request at once, for its messages: break-glass, on call, or a rule. */
  #approvedAtOnceBy(request: AccessRequest, approval: Decision): string {
    if (request.breakGlass) return `${request.requester.name} (break-glass)`;
    if (approval.onCall) return `policy: ${approval.comment}`;
    return approval.by;
  }

  /**
   * Runs once per request, by whoever's compare-and-set made it `approved`: provisions the
   * grant, then records it (or why it failed) on the request.
   */
  async #provision(approved: AccessRequest, by: string): Promise<AccessRequest> {
    let result: AccessRequest;
    try {
      const grant = await this.#grants.create({
        principal: approved.requester,
        cluster: approved.cluster,
        role: approved.role,
        namespaces: approved.namespaces,
        ttlSeconds: approved.durationSeconds,
        origin: approved.breakGlass ? "break-glass" : "request",
        reason: approved.reason,
        requestId: approved.id,
      });
      result = { ...approved, version: approved.version + 1, grantId: grant.id };
    } catch (err) {
      result = {
        ...approved,
        version: approved.version + 1,
        grantError: err instanceof Error ? err.message : String(err),
      };
      await this.#store.compareAndSet(result);
      await this.#events.record(
        "request.approved",
        result,
        `approved, but the grant could not be provisioned: ${result.grantError}`,
      );
      throw err;
    }
    await this.#store.compareAndSet(result);
    await this.#events.announce("request.approved", result, `approved by ${by}; grant ${result.grantId}`, by);
    return result;
  }

  async #expireIfDue(request: AccessRequest): Promise<AccessRequest> {
    if (request.state !== "pending" || request.expiresAt > this.#clock.now()) return request;
    const next: AccessRequest = {
      ...request,
      version: request.version + 1,
      state: "expired",
      decidedAt: request.expiresAt,
    };
    if (await this.#store.compareAndSet(next)) {
      await this.#events.announce("request.expired", next, "no decision before the request's own deadline");
      return next;
    }
    return (await this.#store.get(request.id)) ?? request;
  }

  #mayView(caller: Principal, request: AccessRequest): boolean {
    return (
      caller.subject === request.requester.subject ||
      isAdmin(this.#config, caller) ||
      canApprove(this.#config, caller, request).allowed
    );
  }
}
