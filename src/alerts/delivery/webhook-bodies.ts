import type { Alert } from "../alert-rule.ts";
import { alertSummary } from "./alert-summary.ts";

/** Alerts of one rule and group folded into this message while webhooks were throttled. */
export interface Folded {
  repeats: number;
  /** When the previous message of that rule and group went out (ms), if there was one. */
  since?: number | undefined;
}

/**
 * The alert as webhooks see it: fields picked one by one from the record, never the record
 * itself, so whatever the audit record gains later does not leak into chat unasked.
 */
export function alertView(alert: Alert, link: string, folded: Folded): Record<string, unknown> {
  const r = alert.record;
  const what =
    r.type === "request"
      ? {
          verb: r.verb,
          resource: r.resource,
          name: r.name,
          subresource: r.subresource,
          decision: r.decision,
          kubectlCommand: r.kubectlCommand,
          sourceIp: r.sourceIp,
        }
      : { event: r.event };
  return {
    id: alert.id,
    rule: alert.rule,
    severity: alert.severity,
    description: alert.description,
    summary: alertSummary(alert),
    at: alert.at,
    record: r.id,
    user: r.user,
    cluster: r.cluster,
    namespace: r.namespace,
    ...what,
    grant: r.grant,
    role: r.role,
    link,
    ...(alert.group ? { group: alert.group } : {}),
    ...(alert.firstSeen ? { firstSeen: alert.firstSeen } : {}),
    ...(alert.action ? { action: alert.action } : {}),
    repeats: folded.repeats,
    ...(folded.since !== undefined ? { repeatsSince: new Date(folded.since).toISOString() } : {}),
  };
}

/** "[critical] exec-in-sensitive-namespace: alice exec pods/web-1 in prod/team-a (+4 more since 10:02) <link>" */
export function alertText(alert: Alert, link: string, folded: Folded): string {
  const more =
    folded.repeats > 0
      ? ` (+${folded.repeats} more${folded.since !== undefined ? ` since ${hhmm(folded.since)}` : ""})`
      : "";
  return `[${alert.severity}] ${alert.rule}: ${alertSummary(alert)}${more} ${link}`;
}

export function jsonBody(alert: Alert, link: string, folded: Folded, now: number): Record<string, unknown> {
  return {
    event: "alert.fired",
    ts: new Date(now).toISOString(),
    text: alertText(alert, link, folded),
    alert: alertView(alert, link, folded),
  };
}

export function slackBody(alert: Alert, link: string, folded: Folded): { text: string } {
  return { text: alertText(alert, link, folded) };
}

/** UTC, as every time the broker shows (docs/alerts.md "Delivery"). */
function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}
