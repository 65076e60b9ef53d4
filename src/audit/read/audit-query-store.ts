import type { RedisClient } from "../../shared/redis.ts";
import type { AuditCursor } from "../audit-cursor.ts";
import { type IndexField, indexFor, indexMember } from "../audit-index.ts";
import type { AuditKeys } from "../audit-keys.ts";
import type { AuditEntry } from "../record-fields.ts";
import { type RawEntry, streamEnd } from "../stream-ids.ts";
import { MergedScan, type ScanRange } from "./merged-scan.ts";

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
  /** Continue from here (a previous page's nextCursor). */
  after?: AuditCursor;
  order?: "asc" | "desc";
  limit: number;
}

export interface AuditPage {
  items: AuditEntry[];
  /** Pass as `after` for the next page; absent when the range is exhausted. */
  nextCursor?: AuditCursor;
}

export function matches(entry: AuditEntry, filter: AuditFilter): boolean {
  const fields = entry as unknown as Record<string, string>;
  for (const name of FILTER_FIELDS) {
    const wanted = filter[name];
    if (wanted !== undefined && fields[name] !== wanted) return false;
  }
  return true;
}

/**
 * Reads the shards' streams by ID range as one log (MergedScan), filtering as it goes. A
 * filter an index answers (by grant, user, namespace, refusal or resource: audit-index.ts)
 * reads only that index's records; others scan the streams. One request reads at most
 * `scanLimit` entries; a page may then hold fewer than `limit` items but still carries a
 * cursor, and the caller keeps paging.
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
    const chosen = indexFor(query.filter);
    // Through an index, nearly every record read is one returned: pages of about the limit.
    const count = chosen ? Math.min(1000, query.limit + 1) : Math.min(1000, Math.max(100, query.limit * 2));
    const scan = new MergedScan({
      redis: this.#redis,
      logs: this.#keys.shards.map((shard) => shard.log),
      range: query,
      count,
      ...(query.after ? { after: query.after } : {}),
      ...(chosen ? await this.#indexes(...chosen) : {}),
    });
    const items: AuditEntry[] = [];
    for (let scanned = 0; ; ) {
      const next = await scan.next();
      if (!next) return { items };
      scanned++;
      if (matches(next.entry, query.filter)) {
        items.push(next.entry);
        if (items.length === query.limit) return { items, nextCursor: scan.cursor() };
      }
      if (scanned >= this.#scanLimit) return { items, nextCursor: scan.cursor() };
    }
  }

  /**
   * Per shard, the key of the index of `field` = `value`, where that index holds every record
   * the shard has; undefined where the stream still holds records from before indexing began
   * (written by an older version: that shard is scanned until retention drops them). And per
   * shard its oldest entry: an index may still name records trimmed since, which lie below it.
   */
  async #indexes(
    field: IndexField,
    value: string,
  ): Promise<{ indexes: (string | undefined)[]; floors: (string | undefined)[] }> {
    const shards = await Promise.all(
      this.#keys.shards.map(async (shard) => {
        const [start, oldest] = await Promise.all([
          this.#redis.get(shard.indexStart),
          this.#redis.call("xrange", shard.log, "-", "+", "COUNT", 1) as Promise<RawEntry[]>,
        ]);
        const floor = oldest[0]?.[0];
        const complete = floor === undefined || (start !== null && start <= (indexMember(floor) ?? ""));
        return { index: complete ? shard.index(field, value) : undefined, floor };
      }),
    );
    return { indexes: shards.map((s) => s.index), floors: shards.map((s) => s.floor) };
  }

  /** Every shard, merged in stream-ID order, from `after` on (tail catch-up reads this way). */
  scan(range: ScanRange, after: AuditCursor | undefined, count: number): MergedScan {
    return new MergedScan({
      redis: this.#redis,
      logs: this.#keys.shards.map((shard) => shard.log),
      range,
      count,
      ...(after ? { after } : {}),
    });
  }

  /** Each shard's newest entry ID (0-0 when empty): where "from now on" begins. */
  async ends(): Promise<AuditCursor> {
    return Promise.all(this.#keys.shards.map((shard) => streamEnd(this.#redis, shard.log)));
  }
}
