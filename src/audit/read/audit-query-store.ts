import type { RedisClient } from "../../shared/redis.ts";
import type { AuditKeys } from "../audit-keys.ts";
import { type AuditEntry, fromStreamFields } from "../record-fields.ts";
import { compareStreamIds, idJustBefore, type RawEntry } from "../stream-ids.ts";

/** Exact-match filters over record fields; unset ones match anything. */
export interface AuditFilter {
  user?: string;
  cluster?: string;
  namespace?: string;
  verb?: string;
  resource?: string;
  decision?: string;
  type?: string;
  phase?: string;
  grant?: string;
}

export const FILTER_FIELDS = [
  "user",
  "cluster",
  "namespace",
  "verb",
  "resource",
  "decision",
  "type",
  "phase",
  "grant",
] as const satisfies readonly (keyof AuditFilter)[];

export interface AuditQuery {
  filter: AuditFilter;
  /** Milliseconds since the epoch, inclusive. */
  since?: number;
  until?: number;
  /** Continue after this stream ID (a previous page's nextCursor). */
  after?: string;
  order?: "asc" | "desc";
  limit: number;
}

export interface AuditPage {
  items: AuditEntry[];
  /** Pass as `after` for the next page; absent when the range is exhausted. */
  nextCursor?: string;
}

export function matches(entry: AuditEntry, filter: AuditFilter): boolean {
  const fields = entry as unknown as Record<string, string>;
  for (const name of FILTER_FIELDS) {
    const wanted = filter[name];
    if (wanted !== undefined && fields[name] !== wanted) return false;
  }
  return true;
}

export function parseEntries(raw: unknown): AuditEntry[] {
  const entries = (raw ?? []) as RawEntry[];
  return entries.flatMap(([id, fields]) => (fields ? [fromStreamFields(id, fields)] : []));
}

/** The newest entry's ID, or 0-0 for an empty stream: where "from now on" begins. */
export async function streamEnd(redis: RedisClient, key: string): Promise<string> {
  return parseEntries(await redis.call("xrevrange", key, "+", "-", "COUNT", 1))[0]?.streamId ?? "0-0";
}

/**
 * Reads the stream by ID range, filtering as it goes. The stream has no secondary index,
 * so one request scans at most `scanLimit` entries; a page may then hold fewer than
 * `limit` items but still carries a cursor, and the caller keeps paging.
 */
export class AuditQueryStore {
  readonly #redis: RedisClient;
  readonly #keys: AuditKeys;
  readonly #scanLimit: number;

  constructor(options: { redis: RedisClient; keys: AuditKeys; scanLimit?: number }) {
    this.#redis = options.redis;
    this.#keys = options.keys;
    this.#scanLimit = options.scanLimit ?? 20_000;
  }

  async query(query: AuditQuery): Promise<AuditPage> {
    const descending = query.order === "desc";
    const count = Math.min(1000, Math.max(100, query.limit * 2));
    const items: AuditEntry[] = [];
    let cursor = query.after;
    let scanned = 0;
    for (;;) {
      const [from, to] = bounds(query, cursor, descending);
      const command = descending ? "xrevrange" : "xrange";
      const page = parseEntries(await this.#redis.call(command, this.#keys.log, from, to, "COUNT", count));
      for (const entry of page) {
        scanned++;
        cursor = entry.streamId;
        if (!matches(entry, query.filter)) continue;
        items.push(entry);
        if (items.length === query.limit) return { items, nextCursor: entry.streamId };
      }
      if (page.length < count) return { items };
      if (scanned >= this.#scanLimit) return { items, ...(cursor ? { nextCursor: cursor } : {}) };
    }
  }
}

/** [first, last] arguments for XRANGE, or for XREVRANGE (which takes them high to low). */
function bounds(query: AuditQuery, cursor: string | undefined, descending: boolean): [string, string] {
  const low = query.since === undefined ? "-" : String(query.since);
  const high = query.until === undefined ? "+" : String(query.until);
  if (descending) {
    // A cursor beyond `until` (a client's own `after`) must not widen the range.
    const inRange =
      cursor && (query.until === undefined || compareStreamIds(cursor, `${query.until + 1}-0`) <= 0);
    return [inRange ? `(${cursor}` : high, low];
  }
  const inRange =
    cursor && (query.since === undefined || compareStreamIds(cursor, idJustBefore(query.since)) >= 0);
  return [inRange ? `(${cursor}` : low, high];
}
