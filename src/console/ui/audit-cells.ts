import type { AuditRecord } from "./audit-types.ts";

/**
 * How a record reads in one table row, as `kubectl broker audit` prints it: a lifecycle event
 * fills the same columns (the event as the verb, its role as the resource, its detail as the
 * outcome), so both kinds share one list. Blank fields are "—".
 */

const BLANK = "—";

export function verbOf(record: AuditRecord): string {
  return (record.type === "lifecycle" ? record.event : record.verb) || BLANK;
}

/** `resource[/subresource]` and the object's name (a request with no resource: its path). */
export function resourceOf(record: AuditRecord): { resource: string; name: string } {
  if (record.type === "lifecycle") {
    return { resource: record.role || BLANK, name: record.request || "" };
  }
  const resource = record.resource
    ? [record.resource, record.subresource].filter(Boolean).join("/")
    : record.path || BLANK;
  return { resource, name: record.name || "" };
}

/** "allowed 200", "denied-by-broker 403", "in flight" (a start without its end yet), or an event's detail. */
export function outcomeOf(record: AuditRecord): string {
  if (record.type === "lifecycle") return lifecycleDetail(record.detail);
  if (record.phase === "start") return "in flight";
  return [record.decision, record.status].filter(Boolean).join(" ") || BLANK;
}

/** The decision a row is styled by: refusals and errors stand out. */
export function decisionClass(record: AuditRecord): string {
  return record.type === "request" && record.phase === "end" ? `decision-${record.decision}` : "";
}

/** A delivered report carries the whole report as JSON in its detail; a row shows its summary. */
function lifecycleDetail(detail: string | undefined): string {
  if (!detail) return BLANK;
  if (!detail.startsWith("{")) return detail;
  try {
    const text = (JSON.parse(detail) as { text?: unknown }).text;
    return typeof text === "string" ? text : detail;
  } catch {
    return detail;
  }
}
