import type { AuditRecord, LifecycleEventName } from "../audit/index.ts";
import type { ALERT_LIFECYCLE_EVENTS } from "../config/alerts-schema.ts";

// The config (a library, which cannot import the audit feature) lists the events a rule may
// match; this fails to compile when the two lists differ. Alerts' own records are left out:
// the evaluator never reads them, so that no rule can fire on an alert (a loop).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
type Evaluated = Exclude<LifecycleEventName, "alert.fired" | "alert.action">;
const eventsListed: Same<(typeof ALERT_LIFECYCLE_EVENTS)[number], Evaluated> = true;
void eventsListed;

/**
 * What a rule can ask of a record, as lists of strings: a record has one value per field,
 * except groups (a person's IdP groups) and a grant's namespaces, which are comma-joined.
 * A field a record type does not carry (a lifecycle event has no verb) is empty.
 */
export type MatchField =
  | "user"
  | "group"
  | "cluster"
  | "namespace"
  | "verb"
  | "apiGroup"
  | "resource"
  | "subresource"
  | "name"
  | "decision"
  | "statusClass"
  | "role"
  | "grantKind"
  | "sourceIp"
  | "event"
  | "grant"
  | "command";

export function valuesOf(record: AuditRecord, field: MatchField): string[] {
  switch (field) {
    case "group":
      return splitList(record.groups);
    case "namespace":
      return record.type === "lifecycle" ? splitList(record.namespace) : [record.namespace];
    case "statusClass":
      return [statusClass(record)];
    case "grantKind":
      return [grantKind(record)];
    case "command":
      return record.type === "lifecycle" && record.event === "session.command" ? [record.detail] : [];
    default:
      return [fieldValue(record, field)];
  }
}

/** The one value of a field a threshold groups by or first-seen remembers ("" when absent). */
export function fieldValue(record: AuditRecord, field: MatchField): string {
  const value = (record as unknown as Record<string, unknown>)[field];
  return typeof value === "string" ? value : "";
}

/** "403" → "4xx"; "" while a request is under way (its start record has no status). */
function statusClass(record: AuditRecord): string {
  if (record.type !== "request" || !/^[1-5]\d\d$/.test(record.status)) return "";
  return `${record.status[0]}xx`;
}

/**
 * Where a grant came from. Records carry it in `grantKind` (the gateway's from the grant it
 * resolved, lifecycle events from their grant or request). Records written before that field
 * existed are read as they were then: only grant lifecycle records tell, CI grants by naming
 * their CI rule in `detail` ("CI rule <name>: …", written by identity/ci, also read by
 * reports' grantFact), requested grants by their request's id, the rest are standing.
 */
function grantKind(record: AuditRecord): string {
  if (record.grantKind) return record.grantKind;
  if (record.type !== "lifecycle" || !record.event.startsWith("grant.")) return "";
  if (/^CI rule .+?: /.test(record.detail)) return "ci";
  return record.request ? "requested" : "standing";
}

function splitList(value: string | undefined): string[] {
  return value ? value.split(",") : [];
}
