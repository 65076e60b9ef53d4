import type { RedisClient } from "../../shared/redis.ts";
import type { AuditCursor } from "../audit-cursor.ts";
import { indexMember, streamIdOf } from "../audit-index.ts";
import type { AuditEntry } from "../record-fields.ts";
import { compareStreamIds, idJustBefore, MAX_STREAM_ID, parseEntries, type RawEntry } from "../stream-ids.ts";

/** An entry and the shard it was read from. */
export interface ShardEntry {
  shard: number;
  entry: AuditEntry;
}

export interface ScanRange {
  /** Milliseconds since the epoch, inclusive. */
  since?: number;
  until?: number;
  order?: "asc" | "desc";
}

/**
 * Reads the shards' streams as one log: a k-way merge by stream ID (ties by shard), each
 * shard read from its own position in pages of `count`. The position of every shard moves
 * only past what was handed out, so the cursor after any entry resumes exactly there.
 *
 * With `indexes`, a shard is read through its index (audit-index.ts) instead: a page of IDs
 * from the index's sorted set, then those records by ID, in the same order and with the same
 * positions, so a cursor means the same either way.
 */
export class MergedScan {
  readonly #redis: RedisClient;
  readonly #logs: readonly string[];
  readonly #range: ScanRange;
  readonly #count: number;
  readonly #positions: (string | undefined)[];
  readonly #buffers: ShardEntry[][];
  readonly #exhausted: boolean[];
  readonly #indexes: readonly (string | undefined)[];
  readonly #floors: readonly (string | undefined)[];
  /** How far each shard has been read (past `#positions` while a page is not all handed out). */
  readonly #read: (string | undefined)[];

  constructor(options: {
    redis: RedisClient;
    logs: readonly string[];
    range: ScanRange;
    after?: AuditCursor;
    count: number;
    /** Per shard, the index to read it through (undefined: read the stream). */
    indexes?: readonly (string | undefined)[];
    /** Per shard read through an index, its stream's oldest entry (undefined: it is empty). */
    floors?: readonly (string | undefined)[];
  }) {
    this.#redis = options.redis;
    this.#logs = options.logs;
    this.#range = options.range;
    this.#count = options.count;
    this.#positions = options.logs.map((_, i) => options.after?.[i]);
    this.#buffers = options.logs.map(() => []);
    this.#exhausted = options.logs.map(() => false);
    this.#indexes = options.indexes ?? [];
    this.#floors = options.floors ?? [];
    this.#read = [...this.#positions];
  }

  get #descending(): boolean {
    return this.#range.order === "desc";
  }

  /** The next entry in merged order, or undefined once every shard's range is read. */
  async next(): Promise<ShardEntry | undefined> {
    const empty = this.#buffers.flatMap((buffer, i) =>
      buffer.length === 0 && !this.#exhausted[i] ? [i] : [],
    );
    await Promise.all(empty.map((i) => this.#fill(i)));
    let best: number | undefined;
    for (let i = 0; i < this.#buffers.length; i++) {
      const head = this.#buffers[i]![0];
      if (!head) continue;
      if (best === undefined) {
        best = i;
        continue;
      }
      const order = compareStreamIds(head.entry.streamId, this.#buffers[best]![0]!.entry.streamId);
      // Ties go to the lower shard ascending and to the higher descending (i counts up):
      // one total order, read forwards or backwards.
      if (this.#descending ? order >= 0 : order < 0) best = i;
    }
    if (best === undefined) return undefined;
    const next = this.#buffers[best]!.shift()!;
    this.#positions[best] = next.entry.streamId;
    return next;
  }

  /** Where this scan is: resuming from it reads what next() has not handed out yet. */
  cursor(): AuditCursor {
    return this.#positions.map((position) => position ?? this.#start());
  }

  /** The position that reads a shard's whole range. */
  #start(): string {
    const { since, until } = this.#range;
    if (this.#descending) return until === undefined ? MAX_STREAM_ID : `${until + 1}-0`;
    return since === undefined ? "0-0" : idJustBefore(since);
  }

  async #fill(shard: number): Promise<void> {
    // An index page may name only records trimmed since: read on until one is left or none.
    while (this.#buffers[shard]!.length === 0 && !this.#exhausted[shard]) {
      const [from, to] = this.#bounds(this.#read[shard]);
      if (from === undefined) {
        this.#exhausted[shard] = true;
        return;
      }
      const index = this.#indexes[shard];
      const { entries, last, full } = index
        ? await this.#readIndex(shard, index, from, to)
        : await this.#readStream(shard, from, to);
      this.#buffers[shard] = entries.map((entry) => ({ shard, entry }));
      this.#read[shard] = last ?? this.#read[shard];
      if (!full) this.#exhausted[shard] = true;
    }
  }

  async #readStream(shard: number, from: string, to: string): Promise<Page> {
    const command = this.#descending ? "xrevrange" : "xrange";
    const reply = (await this.#redis.call(
      command,
      this.#logs[shard]!,
      from,
      to,
      "COUNT",
      this.#count,
    )) as RawEntry[];
    return { entries: parseEntries(reply), last: reply.at(-1)?.[0], full: reply.length === this.#count };
  }

  /** `from` and `to` are XRANGE bounds (a stream ID, "(" before one, "-" or "+"), as #bounds gives them. */
  async #readIndex(shard: number, index: string, from: string, to: string): Promise<Page> {
    const floor = this.#floors[shard];
    if (floor === undefined) return { entries: [], last: undefined, full: false };
    const [low, high] = this.#descending ? [to, from] : [from, to];
    // Never below the stream's oldest entry: what the index still names there is gone.
    const bounds = [higherLow(lexBound(low, "low"), `[${indexMember(floor) ?? ""}`), lexBound(high, "high")];
    if (this.#descending) bounds.reverse();
    const members = (await this.#redis.call(
      "zrange",
      index,
      bounds[0]!,
      bounds[1]!,
      "BYLEX",
      ...(this.#descending ? ["REV"] : []),
      "LIMIT",
      0,
      this.#count,
    )) as string[];
    const ids = members.map(streamIdOf);
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.call("xrange", this.#logs[shard]!, id, id);
    const replies = ids.length > 0 ? ((await pipeline.exec()) ?? []) : [];
    const entries = replies.flatMap(([err, reply]) => {
      if (err) throw err;
      return parseEntries(reply); // empty when trimmed since the index was read
    });
    return { entries, last: ids.at(-1), full: ids.length === this.#count };
  }

  /** [first, last] for XRANGE, or for XREVRANGE (high to low); first undefined: nothing left. */
  #bounds(position: string | undefined): [string | undefined, string] {
    const { since, until } = this.#range;
    const low = since === undefined ? "-" : String(since);
    const high = until === undefined ? "+" : String(until);
    if (this.#descending) {
      if (position === "0-0") return [undefined, low];
      // A cursor beyond `until` (a client's own `after`) must not widen the range.
      const inRange = position && (until === undefined || compareStreamIds(position, `${until + 1}-0`) <= 0);
      return [inRange ? `(${position}` : high, low];
    }
    if (position === MAX_STREAM_ID) return [undefined, high];
    const inRange = position && (since === undefined || compareStreamIds(position, idJustBefore(since)) >= 0);
    return [inRange ? `(${position}` : low, high];
  }
}

interface Page {
  entries: AuditEntry[];
  /** The last ID the page covered (read, whether or not its record was still there). */
  last: string | undefined;
  /** The page was as long as asked: there may be more. */
  full: boolean;
}

/**
 * An XRANGE bound as a ZRANGE BYLEX bound over index members (audit-index.ts). Like XRANGE,
 * a bound with milliseconds alone is that millisecond's first ID as the low bound and its
 * last as the high one; an ID with a sequence too long to index ("the last ID of a
 * millisecond", idJustBefore) stands for the end of its millisecond.
 */
function lexBound(bound: string, side: "low" | "high"): string {
  if (bound === "-" || bound === "+") return bound;
  const exclusive = bound.startsWith("(");
  const id = exclusive ? bound.slice(1) : bound;
  const dash = id.indexOf("-");
  const ms = dash < 0 ? id : id.slice(0, dash);
  const seq = dash < 0 ? (side === "low" ? "0" : undefined) : id.slice(dash + 1);
  if (seq === undefined || seq.length > 9) {
    // The end of millisecond `ms`: the low bound past it, the high bound up to it.
    const next = indexMember(`${BigInt(ms) + 1n}-0`);
    if (next === undefined) return "+";
    return side === "low" ? `[${next}` : `(${next}`;
  }
  const member = indexMember(`${ms}-${seq}`);
  if (member === undefined) return "+"; // past any ID an index holds
  return `${exclusive ? "(" : "["}${member}`;
}

/** The higher of two BYLEX low bounds ("-", "+", "[m" or "(m"); at a tie, the exclusive one. */
function higherLow(a: string, b: string): string {
  const rank = (bound: string) => (bound === "-" ? "" : bound === "+" ? "\uffff" : bound.slice(1));
  const [ra, rb] = [rank(a), rank(b)];
  if (ra !== rb) return ra > rb ? a : b;
  return a.startsWith("(") ? a : b;
}
