import { formatDuration } from "../../shared/duration.ts";
import type { Alert } from "../alert-rule.ts";

/** Where the alert's detail page is: the same URL in every message, so people land in one place. */
export function alertLink(publicUrl: string, alertId: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/v1/alerts/${encodeURIComponent(alertId)}`;
}

/**
 * One line for people: who did what where, such as
 * "alice@example.com exec pods/web-1 in prod/team-a", and for a threshold or first-seen
 * rule what it counted or saw first.
 */
export function alertSummary(alert: Alert): string {
  const r = alert.record;
  const who = r.user || "someone";
  const where = r.namespace ? ` in ${r.cluster}/${r.namespace}` : r.cluster ? ` in ${r.cluster}` : "";
  const what =
    r.type === "request"
      ? `${r.verb} ${requestTarget(r)}${where}${r.decision === "allowed" ? "" : ` (${r.decision})`}`
      : `${r.event}${r.role ? ` ${r.role}` : ""}${where}`;
  return `${who} ${what}${thresholdNote(alert)}${firstSeenNote(alert)}`;
}

/** "20 within 5m for user=alice" */
export function describeThreshold(group: NonNullable<Alert["group"]>): string {
  return `${group.count} within ${formatDuration(group.windowSeconds)} for ${group.field}=${group.value}`;
}

/** "sourceIp 203.0.113.9, not seen for this user in 30 days" */
export function describeFirstSeen(firstSeen: NonNullable<Alert["firstSeen"]>): string {
  return `${firstSeen.field} ${firstSeen.value}, not seen for this user in ${firstSeen.days} days`;
}

function requestTarget(r: Extract<Alert["record"], { type: "request" }>): string {
  if (!r.resource) return r.path;
  const name = r.name ? `/${r.name}` : "";
  // exec, attach and portforward are their own verbs: "exec pods/web-1", not ".../exec" again.
  const sub = r.subresource && r.subresource !== r.verb ? `/${r.subresource}` : "";
  return `${r.resource}${name}${sub}`;
}

function thresholdNote(alert: Alert): string {
  return alert.group ? `: ${describeThreshold(alert.group)}` : "";
}

function firstSeenNote(alert: Alert): string {
  return alert.firstSeen
    ? `: first ${alert.firstSeen.field} ${alert.firstSeen.value} in ${alert.firstSeen.days}d`
    : "";
}
