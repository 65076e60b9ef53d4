import type { LoggedAlert } from "../../alerts/index.ts";
import type { Printable } from "./output-format.ts";
import { relativeTime, table } from "./table.ts";

export type { LoggedAlert };

const HEADERS = ["age", "severity", "rule", "user", "cluster", "namespace", "what"];
const WIDE_HEADERS = ["id", "source ip", "kubectl command", "action"];

/** `alerts`: newest first, as a table or as -o asks. */
export function alertList(alerts: LoggedAlert[], now: number): Printable {
  return {
    value: { items: alerts },
    names: alerts.map(alertName),
    text: (wide) =>
      table(
        wide ? [...HEADERS, ...WIDE_HEADERS] : HEADERS,
        alerts.map((a) => alertRow(a, now, wide)),
      ),
    empty: "No alerts in that time.",
  };
}

/** One row, for the table and for `alerts --watch`, which prints each as it fires. */
export function alertRow(alert: LoggedAlert, now: number, wide: boolean): string[] {
  const { record } = alert;
  const row = [
    relativeTime(alert.at, now),
    alert.severity,
    alert.rule,
    record.user,
    record.cluster,
    record.namespace,
    what(alert),
  ];
  if (!wide) return row;
  const sourceIp = record.type === "request" ? record.sourceIp : "";
  const command = record.type === "request" ? record.kubectlCommand : "";
  const action = alert.action ? `${alert.action.kind}${alert.action.dryRun ? " (dry run)" : ""}` : "";
  return [...row, alert.id, sourceIp, command, action];
}

export function alertName(alert: Pick<LoggedAlert, "id">): string {
  return `alert/${alert.id}`;
}

/** What happened, in a few words: "exec pods/web-1", "grant.started", "+ 20 in 5m by user". */
function what(alert: LoggedAlert): string {
  const { record } = alert;
  let text: string;
  if (record.type === "request") {
    const resource = [record.resource, record.subresource].filter(Boolean).join("/");
    text = `${record.verb} ${resource}${record.name ? ` ${record.name}` : ""} (${record.decision})`;
  } else {
    text = record.event;
  }
  if (alert.group) text += `; ${alert.group.count} in ${alert.group.windowSeconds}s by ${alert.group.field}`;
  if (alert.firstSeen)
    text += `; first ${alert.firstSeen.field} ${alert.firstSeen.value} in ${alert.firstSeen.days}d`;
  return text;
}
