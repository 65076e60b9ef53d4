/**
 * The audit records the console reads (GET /v1/audit, GET /v1/audit/stream), as DESIGN.md's
 * "Audit record" and src/audit/record.ts fix them: every field a string, plus `streamId`,
 * where the entry sits in the log. Written out here for the same reason as types.ts: the UI
 * is type-checked on its own and must not pull the audit feature's server modules in.
 * Records written before a field existed lack it, so the display code takes any field as
 * possibly missing.
 */

export type AuditDecision = "allowed" | "denied-by-broker" | "denied-by-cluster" | "error";

interface AuditCommon {
  streamId: string;
  /** A forwarded request's start and end entries share it. */
  id: string;
  ts: string;
  cluster: string;
  user: string;
  groups: string;
  grant: string;
  role: string;
  serviceAccount: string;
  grantKind?: string;
  namespace: string;
  detail: string;
}

export interface RequestRecord extends AuditCommon {
  type: "request";
  phase: "start" | "end";
  verb: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
  path: string;
  query: string;
  status: string;
  durationMs: string;
  bytesIn: string;
  bytesOut: string;
  sourceIp: string;
  userAgent: string;
  kubectlCommand?: string;
  kubectlSession?: string;
  decision: AuditDecision;
}

export interface LifecycleRecord extends AuditCommon {
  type: "lifecycle";
  event: string;
  request: string;
}

export type AuditRecord = RequestRecord | LifecycleRecord;

/** GET /v1/audit: a page, and where the next one starts (null at the end of the range). */
export interface AuditPage {
  items: AuditRecord[];
  nextCursor: string | null;
}

/** The API's exact-match filters (src/audit/read/audit-query-store.ts FILTER_FIELDS). */
export const FILTER_FIELDS = [
  "user",
  "cluster",
  "namespace",
  "verb",
  "resource",
  "decision",
  "type",
  "phase",
  "grant",
] as const;

export type FilterField = (typeof FILTER_FIELDS)[number];

export const DECISIONS: readonly AuditDecision[] = [
  "allowed",
  "denied-by-broker",
  "denied-by-cluster",
  "error",
];
