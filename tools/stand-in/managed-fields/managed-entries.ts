/**
 * `metadata.managedFields` read and written as the API server does (fieldmanager/internal
 * managedfields.go): one entry per manager, operation, API version (for updaters) and
 * subresource, each with its field set in `fieldsV1`, sorted Apply before Update, then by time.
 */
import { isPlainObject, timestamp } from "../objects.ts";
import { type FieldSet, fromFieldsV1, toFieldsV1 } from "./field-paths.ts";

export type Operation = "Apply" | "Update";

export interface ManagerEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource: string;
  time?: string;
  set: FieldSet;
}

/** Entries by identifier (BuildManagerIdentifier). */
export type Managers = Map<string, ManagerEntry>;

/** BuildManagerIdentifier: the entry without fields or time, and without the version for appliers. */
export function identifierOf(entry: Omit<ManagerEntry, "set" | "time">): string {
  const id: Record<string, string> = { manager: entry.manager, operation: entry.operation };
  if (entry.operation === "Update" && entry.apiVersion) id.apiVersion = entry.apiVersion;
  if (entry.subresource) id.subresource = entry.subresource;
  return JSON.stringify(id);
}

/** printManager: `"kubectl"`, `"kubectl-create" using v1`, `"x" with subresource "status" using v1`. */
export function describeManager(identifier: string): string {
  const entry = JSON.parse(identifier) as Partial<ManagerEntry>;
  let text = JSON.stringify(entry.manager ?? "");
  if (entry.subresource) text += ` with subresource ${JSON.stringify(entry.subresource)}`;
  if (entry.operation === "Update") text += ` using ${entry.apiVersion ?? ""}`;
  return text;
}

/** DecodeManagedFields; throws on anything malformed (callers fall back as the server does). */
export function decodeManagers(value: unknown): Managers {
  const managers: Managers = new Map();
  if (value === undefined || value === null) return managers;
  if (!Array.isArray(value)) throw new Error("managedFields must be a list");
  for (const raw of value) {
    if (!isPlainObject(raw)) throw new Error("a managedFields entry must be an object");
    const operation = raw.operation;
    if (operation !== "Apply" && operation !== "Update")
      throw new Error(`unknown operation ${String(operation)}`);
    if ((raw.fieldsType ?? "FieldsV1") !== "FieldsV1")
      throw new Error(`unknown fieldsType ${String(raw.fieldsType)}`);
    const entry: ManagerEntry = {
      manager: String(raw.manager ?? ""),
      operation,
      apiVersion: String(raw.apiVersion ?? ""),
      subresource: String(raw.subresource ?? ""),
      set: fromFieldsV1(raw.fieldsV1 ?? {}),
    };
    if (typeof raw.time === "string") entry.time = raw.time;
    const id = identifierOf(entry);
    if (managers.has(id)) throw new Error(`duplicate entries for manager ${id}`);
    managers.set(id, entry);
  }
  return managers;
}

const seconds = (time?: string) => (time ? Math.floor(Date.parse(time) / 1000) : 0);

/** EncodeObjectManagedFields, sorted like sortEncodedManagedFields; undefined when nothing is managed. */
export function encodeManagers(managers: Managers): Record<string, unknown>[] | undefined {
  const entries = [...managers.values()].filter((e) => e.set.size > 0);
  if (entries.length === 0) return undefined;
  entries.sort(
    (p, q) =>
      (p.operation < q.operation ? -1 : p.operation > q.operation ? 1 : 0) ||
      seconds(p.time) - seconds(q.time) ||
      (p.manager < q.manager ? -1 : p.manager > q.manager ? 1 : 0) ||
      (p.apiVersion < q.apiVersion ? -1 : p.apiVersion > q.apiVersion ? 1 : 0) ||
      (p.subresource < q.subresource ? -1 : p.subresource > q.subresource ? 1 : 0),
  );
  return entries.map((e) => {
    const out: Record<string, unknown> = {
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
    };
    if (e.time) out.time = e.time;
    out.fieldsType = "FieldsV1";
    out.fieldsV1 = toFieldsV1(e.set);
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

export const now = () => timestamp();
