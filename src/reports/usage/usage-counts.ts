/**
 * One permission's use in a bucket, and how buckets merge. The aggregates store each as one
 * packed hash value ("count|denied|exec|first|last|names"), so a day's bucket is one HGETALL
 * of one field per distinct permission, whatever the number of requests behind it. The apply
 * script (apply-script.ts) merges exactly as mergeCounts does.
 */
export interface UsageCounts {
  count: number;
  /** Refused by the broker or by the cluster. */
  denied: number;
  /** exec and attach sessions. */
  execSessions: number;
  /** Milliseconds since the epoch. */
  firstSeen: number;
  lastSeen: number;
  /** The object names used, while there are at most MAX_NAMES; "many" past that. */
  names: string[] | "many";
}

/** Names are kept while they are few: past this, a permission reads as "many names". */
export const MAX_NAMES = 10;

export const PERMISSION_FIELDS = [
  "cluster",
  "namespace",
  "user",
  "grant",
  "role",
  "verb",
  "apiGroup",
  "resource",
  "subresource",
] as const;

/** What the aggregates are keyed by: who used which permission where, under which grant. */
export type Permission = Record<(typeof PERMISSION_FIELDS)[number], string>;

/** A permission as a hash field: a JSON array, so no value can break the key apart. */
export function permissionField(permission: Permission): string {
  return JSON.stringify(PERMISSION_FIELDS.map((name) => permission[name]));
}

export function parsePermissionField(field: string): Permission | undefined {
  let values: unknown;
  try {
    values = JSON.parse(field);
  } catch {
    return undefined;
  }
  if (!Array.isArray(values) || values.length !== PERMISSION_FIELDS.length) return undefined;
  return Object.fromEntries(PERMISSION_FIELDS.map((name, i) => [name, String(values[i])])) as Permission;
}

export function packCounts(counts: UsageCounts): string {
  const names = counts.names === "many" ? "*" : counts.names.join("\n");
  return `${counts.count}|${counts.denied}|${counts.execSessions}|${counts.firstSeen}|${counts.lastSeen}|${names}`;
}

const PACKED = /^(\d+)\|(\d+)\|(\d+)\|(\d+)\|(\d+)\|([\s\S]*)$/;

export function unpackCounts(value: string): UsageCounts | undefined {
  const match = PACKED.exec(value);
  if (!match) return undefined;
  const names = match[6]!;
  return {
    count: Number(match[1]),
    denied: Number(match[2]),
    execSessions: Number(match[3]),
    firstSeen: Number(match[4]),
    lastSeen: Number(match[5]),
    names: names === "*" ? "many" : names === "" ? [] : names.split("\n"),
  };
}

export function mergeNames(a: UsageCounts["names"], b: UsageCounts["names"]): UsageCounts["names"] {
  if (a === "many" || b === "many") return "many";
  const union = [...new Set([...a, ...b])];
  return union.length > MAX_NAMES ? "many" : union;
}

/** Adds `more` into `into` (which it changes) and returns it. */
export function mergeCounts(into: UsageCounts, more: UsageCounts): UsageCounts {
  into.count += more.count;
  into.denied += more.denied;
  into.execSessions += more.execSessions;
  into.firstSeen = Math.min(into.firstSeen, more.firstSeen);
  into.lastSeen = Math.max(into.lastSeen, more.lastSeen);
  into.names = mergeNames(into.names, more.names);
  return into;
}
