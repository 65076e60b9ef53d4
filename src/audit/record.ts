/**
 * The audit record, as DESIGN.md fixes it. Every field is a string (Redis stream fields).
 *
 * A forwarded request is written twice, sharing one `id`: a `start` entry before the request
 * is forwarded (that is what fail-closed waits for: nothing reaches the cluster unrecorded)
 * and an `end` entry, complete with status, duration and sizes, when it finishes. Each `end`
 * entry is a whole record on its own, so readers that want one record per request read the
 * `end` entries; a `start` without an `end` is a request in flight or cut off by a crash.
 * A request the broker refuses never reaches the cluster and gets a single `end` entry.
 * Watches and upgrades (exec, attach, port-forward) follow the same start/end pattern.
 */
export type AuditDecision = "allowed" | "denied-by-broker" | "denied-by-cluster" | "error";

export type LifecycleEventName =
  | "login"
  | "logout"
  | "session.revoked"
  | "token.issued"
  | "grant.started"
  | "grant.updated"
  | "grant.ended"
  | "request.created"
  | "request.approved"
  | "request.denied"
  | "request.expired"
  | "request.canceled"
  /** A scheduled report (reports.schedule): `detail` holds the report as JSON, `cluster` its cluster. */
  | "report.delivered"
  /** An alert rule fired (src/alerts): `detail` holds the alert as JSON, `user` the person it is about. */
  | "alert.fired"
  /** An alert rule's action, done or (dry run) not: the rule is the actor, `detail` says what. */
  | "alert.action"
  /** An admin lifted a person's suspended standing access (`cluster`, `user`); `detail` says who and why it was. */
  | "suspension.lifted"
  /**
   * A line typed in a recorded exec or attach session (src/recording), once Enter ends it:
   * `detail` is the line as the terminal made it (backspaces applied), `namespace` the pod's.
   */
  | "session.command";

/**
 * Where the access a record is about came from: a standing rule, an approved access request,
 * a CI job, or break-glass (a request its requester approved in an emergency).
 */
export type GrantKind = "standing" | "requested" | "ci" | "break-glass";

/** What every record says: which record, when, and whose access on which cluster. */
interface AuditCommon {
  id: string;
  ts: string;
  cluster: string;
  user: string;
  groups: string;
  grant: string;
  role: string;
  serviceAccount: string;
  /**
   * The kind of the grant the record is about; an access request's records, the kind of grant
   * it asks for. Empty when there is none (a login, a request the gateway could not tie to a
   * grant) and in records written before the field existed.
   */
  grantKind: GrantKind | "";
}

export interface RequestAuditRecord extends AuditCommon {
  type: "request";
  phase: "start" | "end";
  verb: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  path: string;
  query: string;
  status: string;
  durationMs: string;
  bytesIn: string;
  bytesOut: string;
  sourceIp: string;
  userAgent: string;
  kubectlCommand: string;
  kubectlSession: string;
  decision: AuditDecision;
  /** Why the broker ended a request it had let through (its grant ended), or "". */
  detail: string;
}

export interface LifecycleAuditRecord extends AuditCommon {
  type: "lifecycle";
  event: LifecycleEventName;
  namespace: string;
  /** Free text for people: an end reason, a request's reason, an approver's comment. */
  detail: string;
  /** The access request this event belongs to, if any. */
  request: string;
}

export type AuditRecord = RequestAuditRecord | LifecycleAuditRecord;

/** A lifecycle event as a feature tells it: the audit feature fills in id, time and blanks. */
export type LifecycleEvent = Partial<LifecycleAuditRecord> & { event: LifecycleEventName };

/** Where lifecycle events go; the audit writer implements it, features depend only on this. */
export interface LifecycleSink {
  publish(event: LifecycleEvent): Promise<void>;
}

/**
 * The lifecycle sink, with listeners: a feature that must act on another's events (a request
 * whose grant ended) listens here instead of the two features knowing each other.
 */
export interface LifecycleEvents extends LifecycleSink {
  /**
   * `listener` hears every event once it is recorded, before publish() returns. A listener
   * that fails is logged and counted; the publisher never sees its error.
   */
  onRecorded(listener: (event: LifecycleEvent) => Promise<void> | void): void;
}
