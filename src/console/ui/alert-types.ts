/**
 * Alerts as the API writes them (src/alerts: Alert, LoggedAlert, the audit record that fired
 * one), written out for the same reason as types.ts: the UI is checked on its own and enters
 * no feature. Below them, the pure rules the Alerts pages follow: the filters a URL carries,
 * the API query they make, and how alerts that arrive live join the list.
 */
import { formatDuration } from "../../shared/duration.ts";

export type Severity = "info" | "warning" | "critical";
export const SEVERITIES: readonly Severity[] = ["info", "warning", "critical"];

interface RecordCommon {
  id: string;
  ts: string;
  cluster: string;
  user: string;
  groups: string;
  grant: string;
  role: string;
  serviceAccount: string;
  grantKind: string;
  namespace: string;
  detail: string;
}

export interface RequestRecord extends RecordCommon {
  type: "request";
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  name: string;
  path: string;
  status: string;
  sourceIp: string;
  kubectlCommand: string;
  decision: string;
}

export interface LifecycleRecord extends RecordCommon {
  type: "lifecycle";
  event: string;
  request: string;
}

/** GET /v1/alerts/<id>, and each item of GET /v1/alerts and of the stream. */
export interface LoggedAlert {
  id: string;
  rule: string;
  severity: Severity;
  description: string;
  at: string;
  record: RequestRecord | LifecycleRecord;
  group?: { field: string; value: string; count: number; windowSeconds: number };
  firstSeen?: { field: string; value: string; days: number };
  action?: { kind: "revoke-grant" | "end-session" | "require-approval"; dryRun: boolean };
  /** Its place in the alert log: the stream's event id and the paging cursor. */
  streamId: string;
}

export interface AlertPage {
  items: LoggedAlert[];
  nextCursor: string | null;
}

/** What the Alerts page filters by; each is also a query parameter of /ui/alerts. */
export interface AlertFilters {
  /** That severity or higher. */
  severity: Severity | "";
  rule: string;
  user: string;
  cluster: string;
  /** How far back the list goes: a duration the API takes ("24h"). */
  since: string;
}

export const FILTER_NAMES = ["severity", "rule", "user", "cluster", "since"] as const;
export const DEFAULT_SINCE = "24h";

/** The filters in /ui/alerts?…; unknown parameters and severities are ignored. */
export function parseAlertFilters(search: string): AlertFilters {
  const params = new URLSearchParams(search);
  const severity = params.get("severity") ?? "";
  return {
    severity: (SEVERITIES as readonly string[]).includes(severity) ? (severity as Severity) : "",
    rule: params.get("rule") ?? "",
    user: params.get("user") ?? "",
    cluster: params.get("cluster") ?? "",
    since: params.get("since") || DEFAULT_SINCE,
  };
}

/**
 * The query string of the filters that are set, for the page's URL and the API alike: the
 * list takes all of them, the stream all but `since` (it starts now).
 */
export function filterQuery(filters: AlertFilters, options: { stream?: boolean } = {}): string {
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    if (options.stream && name === "since") continue;
    if (name === "since" && filters.since === DEFAULT_SINCE && !options.stream) continue;
    if (filters[name]) params.set(name, filters[name]);
  }
  return params.toString();
}

/** GET /v1/alerts for the filters, and the page after `cursor`. */
export function alertListPath(filters: AlertFilters, cursor?: string): string {
  const params = new URLSearchParams(filterQuery(filters));
  params.set("since", filters.since);
  if (cursor) params.set("cursor", cursor);
  return `/v1/alerts?${params}`;
}

/** "1735000000000-3" → [1735000000000, 3], for ordering by place in the log. */
function streamOrder(id: string): [number, number] {
  const [ms, seq] = id.split("-");
  return [Number(ms) || 0, Number(seq) || 0];
}

function newerFirst(a: LoggedAlert, b: LoggedAlert): number {
  const [am, as] = streamOrder(a.streamId);
  const [bm, bs] = streamOrder(b.streamId);
  return bm - am || bs - as;
}

/**
 * The list with `incoming` joined in, newest first, each alert once: the stream and a page
 * load may both bring the same alert (the stream opens before the first page is read, so
 * nothing falls between them).
 */
export function mergeAlerts(list: readonly LoggedAlert[], incoming: readonly LoggedAlert[]): LoggedAlert[] {
  const byId = new Map(list.map((alert) => [alert.id, alert]));
  for (const alert of incoming) byId.set(alert.id, alert);
  return [...byId.values()].sort(newerFirst);
}

/** "cluster/namespace", or the cluster alone when the record is in none. */
export function placeOf(alert: LoggedAlert): string {
  const { cluster, namespace } = alert.record;
  return namespace ? `${cluster}/${namespace}` : cluster;
}

/**
 * What happened, in a few words, as the CLI's alerts table says it: "get secrets db-password
 * (allowed)", "grant.started", with what a threshold counted or what was seen first.
 */
export function alertWhat(alert: LoggedAlert): string {
  const { record } = alert;
  let text: string;
  if (record.type === "request") {
    const resource = [record.resource, record.subresource].filter(Boolean).join("/") || record.path;
    text = `${record.verb} ${resource}${record.name ? ` ${record.name}` : ""} (${record.decision})`;
  } else {
    text = `${record.event}${record.role ? ` ${record.role}` : ""}`;
  }
  if (alert.group) text += `; ${alert.group.count} in ${formatDuration(alert.group.windowSeconds)}`;
  if (alert.firstSeen) text += `; first ${alert.firstSeen.field} ${alert.firstSeen.value}`;
  return text;
}

/** The fields of an audit record the action's outcome is read from (GET /v1/audit items). */
export interface AuditItem {
  type: string;
  ts: string;
  event?: string;
  detail?: string;
}

/**
 * GET /v1/audit for where a rule's action is recorded: the `alert.action` lifecycle record
 * about the alert's person and cluster, written when the alert was dispatched, after its time.
 */
export function actionRecordsPath(alert: LoggedAlert): string {
  const params = new URLSearchParams({ type: "lifecycle", since: alert.at, order: "asc", limit: "200" });
  if (alert.record.user) params.set("user", alert.record.user);
  if (alert.record.cluster) params.set("cluster", alert.record.cluster);
  return `/v1/audit?${params}`;
}

/**
 * What the action did, from its record: "would revoke grant g-1 of … (dry run: yes)". The record
 * names the rule but not the alert, so it is the rule's first action record from the alert's
 * time on; undefined until one is there.
 */
export function actionOutcome(items: readonly AuditItem[], alert: LoggedAlert): string | undefined {
  const prefix = `alert rule ${alert.rule}: `;
  const found = items.find(
    (item) => item.event === "alert.action" && item.detail?.startsWith(prefix) && item.ts >= alert.at,
  );
  return found?.detail?.slice(prefix.length);
}
