import type { RedisClient } from "../../shared/redis.ts";
import type { AuditCursor } from "../audit-cursor.ts";
import type { AuditEntry } from "../record-fields.ts";
import { compareStreamIds, idJustBefore, MAX_STREAM_ID, parseEntries } from "../stream-ids.ts";

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
 */
export class MergedScan {
  readonly #redis: RedisClient;
  readonly #logs: readonly string[];
  readonly #range: ScanRange;
  readonly #count: number;
  readonly #positions: (string | undefined)[];
  readonly #buffers: ShardEntry[][];
  readonly #exhausted: boolean[];

  constructor(options: {
    redis: RedisClient;
    logs: readonly string[];
    range: ScanRange;
    after?: AuditCursor;
    count: number;
  }) {
    this.#redis = options.redis;
    this.#logs = options.logs;
    this.#range = options.range;
    this.#count = options.count;
    this.#positions = options.logs.map((_, i) => options.after?.[i]);
    this.#buffers = options.logs.map(() => []);
    this.#exhausted = options.logs.map(() => false);
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
    const [from, to] = this.#bounds(this.#positions[shard]);
    if (from === undefined) {
      this.#exhausted[shard] = true;
      return;
    }
    const command = this.#descending ? "xrevrange" : "xrange";
    const reply = await this.#redis.call(command, this.#logs[shard]!, from, to, "COUNT", this.#count);
    const page = parseEntries(reply);
    this.#buffers[shard] = page.map((entry) => ({ shard, entry }));
    if ((reply as unknown[]).length < this.#count) this.#exhausted[shard] = true;
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
