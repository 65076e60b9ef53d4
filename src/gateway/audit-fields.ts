import type { IncomingMessage } from "node:http";
import type { AuditDecision, RequestAuditRecord } from "../audit/index.ts";
import { type Grant, grantKind } from "../grants/index.ts";
import { auditQuery } from "./headers.ts";
import { auditVerb, type RequestAttributes } from "./request-attributes.ts";

/** What the gateway knows of a request before it is decided; filled in as it goes. */
export interface RequestContext {
  id: string;
  startedAt: number;
  cluster: string;
  rawPath: string;
  query: URLSearchParams;
  attrs?: RequestAttributes;
  grant?: Grant;
  bytesIn: number;
  bytesOut: number;
  /** Set when the broker cut the request short: why (its grant was revoked, expired…). */
  endedBy?: string;
  /** What the persistence guard did or, in audit mode, would have done. */
  guardNote?: string;
  /** The name of what a create made, from the cluster's answer. */
  createdName?: string;
}

/**
 * The audit record of a gateway request (DESIGN.md "Audit record"). Never a token or a body;
 * the query has anything secret-looking masked.
 */
export function auditRecord(
  req: IncomingMessage,
  ctx: RequestContext,
  phase: RequestAuditRecord["phase"],
  outcome: { status?: number; decision: AuditDecision },
  sourceIp: string,
  /** The clock's time as the record is made: the end record's ts and duration. */
  now: number,
): RequestAuditRecord {
  const attrs = ctx.attrs;
  const grant = ctx.grant;
  const header = (name: string) => {
    const value = req.headers[name];
    return (Array.isArray(value) ? value[0] : value) ?? "";
  };
  return {
    type: "request",
    phase,
    id: ctx.id,
    ts: new Date(phase === "start" ? ctx.startedAt : now).toISOString(),
    cluster: ctx.cluster,
    user: grant?.principal.name ?? "",
    groups: grant?.principal.groups.join(",") ?? "",
    grant: grant?.id ?? "",
    role: grant?.role ?? "",
    serviceAccount: grant?.serviceAccount.name ?? "",
    grantKind: grant ? grantKind(grant.origin) : "",
    verb: attrs ? auditVerb(attrs) : (req.method ?? "").toLowerCase(),
    apiGroup: attrs?.apiGroup ?? "",
    apiVersion: attrs?.apiVersion ?? "",
    resource: attrs?.resource ?? "",
    subresource: attrs?.subresource ?? "",
    namespace: attrs?.namespace ?? "",
    name: attrs?.name || (ctx.createdName ?? ""),
    path: attrs?.path ?? ctx.rawPath.slice(0, 2048),
    query: auditQuery(ctx.query).slice(0, 2048),
    status: outcome.status === undefined ? "" : String(outcome.status),
    durationMs: phase === "end" ? String(now - ctx.startedAt) : "",
    bytesIn: String(ctx.bytesIn),
    bytesOut: String(ctx.bytesOut),
    sourceIp,
    userAgent: header("user-agent").slice(0, 512),
    kubectlCommand: header("kubectl-command").slice(0, 256),
    kubectlSession: header("kubectl-session").slice(0, 64),
    decision: outcome.decision,
    detail: [ctx.guardNote, phase === "end" ? ctx.endedBy : undefined].filter(Boolean).join("; "),
  };
}

/** How an upstream answer reads in the audit trail. */
export function decisionFor(status: number): AuditDecision {
  if (status === 401 || status === 403) return "denied-by-cluster";
  if (status >= 500) return "error";
  return "allowed";
}
