import { formatDuration } from "../../shared/duration.ts";
import type { Alert } from "../alert-rule.ts";
import { alertSummary, describeFirstSeen } from "./alert-summary.ts";

/** One alert as Alertmanager's v2 API takes it (POST /api/v2/alerts takes an array of them). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

/**
 * Labels are what Alertmanager groups, silences and routes on, so they are the few stable
 * values people write matchers for; everything specific to this one alert is an annotation.
 * A label with an empty value is left out (Alertmanager treats empty as absent anyway).
 */
export function alertmanagerAlert(
  alert: Alert,
  options: { link: string; throttleSeconds: number; now: number },
): PostableAlert {
  const r = alert.record;
  const labels = nonEmpty({
    alertname: alert.rule,
    severity: alert.severity,
    cluster: r.cluster,
    namespace: r.namespace,
    user: r.user,
  });
  const annotations = nonEmpty({
    description: alert.description,
    summary: alertSummary(alert),
    kubectl_command: r.type === "request" ? r.kubectlCommand : "",
    link: options.link,
    alert_id: alert.id,
    count: alert.group ? String(alert.group.count) : "",
    window: alert.group ? formatDuration(alert.group.windowSeconds) : "",
    group: alert.group ? `${alert.group.field}=${alert.group.value}` : "",
    first_seen: alert.firstSeen ? describeFirstSeen(alert.firstSeen) : "",
    action: alert.action ? `${alert.action.kind}${alert.action.dryRun ? " (dry run)" : ""}` : "",
  });
  const startsAt = Date.parse(alert.at);
  // The broker never sends a "resolved": an alert is an event, not a condition that clears.
  // Without endsAt Alertmanager would keep it firing until its resolve_timeout; with it, it
  // resolves by itself one throttle span after the last repeat (a repeat with the same labels
  // extends it), the span webhooks stay quiet for. Counted from now if the alert is older (a
  // backlog evaluated late), so it still shows as firing when it arrives.
  const endsAt = Math.max(startsAt, options.now) + options.throttleSeconds * 1000;
  return {
    labels,
    annotations,
    startsAt: alert.at,
    endsAt: new Date(endsAt).toISOString(),
    generatorURL: options.link,
  };
}

function nonEmpty(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ""));
}
