import type { RequestAuditRecord } from "../record.ts";
import type { AuditEntry } from "../record-fields.ts";

/**
 * The gateway's request records as Kubernetes audit events, the body kube-apiserver's audit
 * webhook backend POSTs (an `audit.k8s.io/v1` EventList), so Falco's k8saudit plugin and other
 * readers of that format take our trail unchanged. Field names and omissions follow the Go
 * types' JSON tags (k8s.io/apiserver/pkg/apis/audit/v1/types.go; authentication/v1 UserInfo;
 * meta/v1 Status); which fields kube-apiserver fills, and how, follows
 * k8s.io/apiserver/pkg/audit/request.go (LogRequestMetadata).
 *
 * One Event per request, from its `end` record (stage ResponseComplete, Metadata level: never
 * a body, as our records hold none). Skipped: `start` records (their `end` twin says it all)
 * and lifecycle records (logins, grants, requests), which are not API requests and have no
 * faithful Event form.
 */

export interface K8sAuditEvent {
  kind: "Event";
  apiVersion: "audit.k8s.io/v1";
  level: "Metadata";
  auditID: string;
  stage: "ResponseComplete";
  requestURI: string;
  verb: string;
  /** authentication/v1 UserInfo: every field omitempty, the struct itself always present. */
  user: { username?: string; groups?: string[] };
  sourceIPs?: string[];
  userAgent?: string;
  /** Only for resource requests, as kube-apiserver does; every field omitempty. */
  objectRef?: {
    resource?: string;
    namespace?: string;
    name?: string;
    apiGroup?: string;
    apiVersion?: string;
    subresource?: string;
  };
  responseStatus?: K8sStatus;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

/** meta/v1 Status as the audit event carries it: `metadata` is a struct, so always `{}`. */
export interface K8sStatus {
  metadata: Record<string, never>;
  status?: "Failure";
  reason?: string;
  code: number;
}

export interface K8sAuditEventList {
  kind: "EventList";
  apiVersion: "audit.k8s.io/v1";
  metadata: Record<string, never>;
  items: K8sAuditEvent[];
}

export function toK8sAuditEventList(entries: readonly AuditEntry[]): K8sAuditEventList {
  const items: K8sAuditEvent[] = [];
  for (const entry of entries) {
    if (entry.type === "request" && entry.phase === "end") items.push(toK8sAuditEvent(entry));
  }
  return { kind: "EventList", apiVersion: "audit.k8s.io/v1", metadata: {}, items };
}

export function toK8sAuditEvent(record: RequestAuditRecord): K8sAuditEvent {
  const end = Date.parse(record.ts);
  const start = end - (Number(record.durationMs) || 0);
  const verb = kubernetesVerb(record);
  const groups = record.groups.split(",").filter(Boolean);
  const code = Number(record.status);
  return {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "Metadata",
    // Our request id, not a UUID: types.UID is any string (kube-apiserver takes a client's
    // Audit-ID header as it is), and this one finds the record in `kubectl broker audit`.
    auditID: record.id,
    stage: "ResponseComplete",
    // The record's query is already masked (no tokens), so this is safe to ship.
    requestURI: record.query ? `${record.path}?${record.query}` : record.path,
    verb,
    user: omitEmpty({ username: record.user, groups: groups.length ? groups : undefined }),
    ...(record.sourceIp ? { sourceIPs: [record.sourceIp] } : {}),
    ...(record.userAgent ? { userAgent: record.userAgent } : {}),
    ...(record.resource ? { objectRef: objectRef(record) } : {}),
    ...(record.status && Number.isInteger(code) ? { responseStatus: responseStatus(code) } : {}),
    requestReceivedTimestamp: microTime(start),
    stageTimestamp: microTime(end),
    ...annotationsOf(record, verb),
  };
}

/**
 * Our record names sessions by their subresource (exec, attach, portforward, and proxy on
 * pods/services/nodes: DESIGN.md "Audit record"); kube-apiserver names the verb from the HTTP
 * method, which the record does not keep. exec/attach/portforward become `create`: the RBAC
 * verb every cluster checks for them, what the SPDY form (POST) is logged as, and what Falco's
 * stock "Attach/Exec Pod" rule matches; kubectl's WebSocket form (GET) is logged as `get` by
 * the cluster itself. The proxy subresource becomes `get`, its usual method. Our own verb is
 * kept in the `kube-broker.io/verb` annotation whenever the two differ.
 */
const SESSION_VERBS = new Map([
  ["exec", "create"],
  ["attach", "create"],
  ["portforward", "create"],
  ["proxy", "get"],
]);

function kubernetesVerb(record: RequestAuditRecord): string {
  const isSession = record.subresource !== "" && record.subresource === record.verb;
  return (isSession && SESSION_VERBS.get(record.verb)) || record.verb;
}

function objectRef(record: RequestAuditRecord): K8sAuditEvent["objectRef"] {
  return omitEmpty({
    resource: record.resource,
    namespace: record.namespace,
    name: record.name,
    apiGroup: record.apiGroup,
    apiVersion: record.apiVersion,
    subresource: record.subresource,
  });
}

/**
 * A success carries only its code, as kube-apiserver writes it; a failure is marked as one,
 * with the reason the code stands for (metav1.StatusReason, from apimachinery's errors.go).
 * Codes shared by several reasons (409: Conflict or AlreadyExists) get none: we do not know it.
 * The message is not in our record, so it is never invented.
 */
const REASONS = new Map([
  [400, "BadRequest"],
  [401, "Unauthorized"],
  [403, "Forbidden"],
  [404, "NotFound"],
  [405, "MethodNotAllowed"],
  [406, "NotAcceptable"],
  [410, "Expired"],
  [413, "RequestEntityTooLarge"],
  [415, "UnsupportedMediaType"],
  [422, "Invalid"],
  [429, "TooManyRequests"],
  [500, "InternalError"],
  [503, "ServiceUnavailable"],
  [504, "Timeout"],
]);

function responseStatus(code: number): K8sStatus {
  if (code < 400) return { metadata: {}, code };
  const reason = REASONS.get(code);
  return { metadata: {}, status: "Failure", ...(reason ? { reason } : {}), code };
}

/**
 * Who the cluster saw and why: the gateway forwards as the grant's ServiceAccount, not by
 * impersonation, so `impersonatedUser` stays unset (it would claim the person asked the cluster
 * to act as someone else, and the record has the ServiceAccount's name but not its namespace).
 * `kube-broker.io/decision: denied-by-broker` marks what the broker refused itself: the cluster
 * never saw those requests.
 */
function annotationsOf(record: RequestAuditRecord, verb: string): { annotations?: Record<string, string> } {
  const annotations = omitEmpty({
    "kube-broker.io/cluster": record.cluster,
    "kube-broker.io/grant": record.grant,
    "kube-broker.io/grant-kind": record.grantKind,
    "kube-broker.io/service-account": record.serviceAccount,
    "kube-broker.io/role": record.role,
    "kube-broker.io/decision": record.decision,
    "kube-broker.io/verb": record.verb === verb ? "" : record.verb,
    "kube-broker.io/kubectl-command": record.kubectlCommand,
    "kube-broker.io/kubectl-session": record.kubectlSession,
    "kube-broker.io/detail": record.detail,
  });
  return Object.keys(annotations).length ? { annotations } : {};
}

/** metav1.MicroTime's JSON: RFC 3339 in UTC with exactly six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** Drops the empty values, as the Go types' `omitempty` does. */
function omitEmpty<T extends Record<string, unknown>>(fields: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields))
    if (value !== "" && value !== undefined) out[name] = value;
  return out as T;
}
