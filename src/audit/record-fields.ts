import { Invalid } from "../shared/errors.ts";
import type { AuditRecord, LifecycleAuditRecord, RequestAuditRecord } from "./record.ts";

/**
 * The exact stream fields of each record type, in the order they are written. The writer
 * copies only these names, so a caller that hands over a richer object (headers, a body, a
 * token) cannot leak it into the audit log: whatever is not listed here is dropped.
 */
const REQUEST_FIELDS = [
  "type",
  "phase",
  "id",
  "ts",
  "cluster",
  "user",
  "groups",
  "grant",
  "role",
  "serviceAccount",
  "grantKind",
  "verb",
  "apiGroup",
  "apiVersion",
  "resource",
  "subresource",
  "namespace",
  "name",
  "path",
  "query",
  "status",
  "durationMs",
  "bytesIn",
  "bytesOut",
  "sourceIp",
  "userAgent",
  "kubectlCommand",
  "kubectlSession",
  "decision",
  "detail",
] as const satisfies readonly (keyof RequestAuditRecord)[];

const LIFECYCLE_FIELDS = [
  "type",
  "event",
  "id",
  "ts",
  "cluster",
  "user",
  "groups",
  "grant",
  "role",
  "serviceAccount",
  "grantKind",
  "namespace",
  "detail",
  "request",
] as const satisfies readonly (keyof LifecycleAuditRecord)[];

// The lists must name every field of their record type, or a field would silently never be
// written: these fail to compile when a field is added to a type but not to its list.
type Unlisted<T, L extends readonly (keyof T)[]> = Exclude<keyof T, L[number]>;
const requestFieldsComplete: [Unlisted<RequestAuditRecord, typeof REQUEST_FIELDS>] extends [never]
  ? true
  : never = true;
const lifecycleFieldsComplete: [Unlisted<LifecycleAuditRecord, typeof LIFECYCLE_FIELDS>] extends [never]
  ? true
  : never = true;
void requestFieldsComplete;
void lifecycleFieldsComplete;

/** A record as read back: the record's own fields plus where it sits in the stream. */
export type AuditEntry = AuditRecord & { streamId: string };

/** The flat field/value list XADD takes; every value a string, missing ones empty. */
export function toStreamFields(record: AuditRecord): string[] {
  const names = fieldsOf(record.type);
  const source = record as unknown as Record<string, unknown>;
  const out: string[] = [];
  for (const name of names) {
    const value = source[name];
    out.push(name, typeof value === "string" ? value : value == null ? "" : String(value));
  }
  return out;
}

/** The record back from a stream entry's field/value list. */
export function fromStreamFields(streamId: string, fields: readonly string[]): AuditEntry {
  const entry: Record<string, string> = { streamId };
  for (let i = 0; i + 1 < fields.length; i += 2) entry[fields[i]!] = fields[i + 1]!;
  return entry as unknown as AuditEntry;
}

/** Keeps only the known fields of a record (what the spool stores and replays). */
export function pickRecord(record: AuditRecord): AuditRecord {
  const fields = toStreamFields(record);
  const out: Record<string, string> = {};
  for (let i = 0; i < fields.length; i += 2) out[fields[i]!] = fields[i + 1]!;
  return out as unknown as AuditRecord;
}

function fieldsOf(type: unknown): readonly string[] {
  if (type === "request") return REQUEST_FIELDS;
  if (type === "lifecycle") return LIFECYCLE_FIELDS;
  throw new Invalid(`an audit record's type must be "request" or "lifecycle", not ${JSON.stringify(type)}`);
}
