import { compareStreamIds, parseEntries, type RawEntry } from "../../audit/index.ts";
import type { Clock } from "../../shared/clock.ts";
import { LeasedStreamReader, LeaseLost, ReadAgain } from "../../shared/leased-stream-reader.ts";
import type { Logger } from "../../shared/logger.ts";
import type { RedisClient } from "../../shared/redis.ts";
import { applyPlan } from "./apply-script.ts";
import { planBatch } from "./usage-batch.ts";
import { USAGE_GROUP, type UsageShardKeys } from "./usage-keys.ts";

export interface UsageAggregatorOptions {
  /** For the lease, the mark and the apply script. */
  redis: RedisClient;
  /** Its own connection, for the blocking XREADGROUP and the acks; stop() closes it. */
  connection: RedisClient;
  /** The audit shard's stream this aggregator reads. */
  log: string;
  keys: UsageShardKeys;
  /** The consumer name in the group, and the lease token. */
  holder: string;
  clock: Clock;
  logger: Logger;
  retentionSeconds: number;
  leaseTtlMs?: number;
  batch?: number;
  blockMs?: number;
}

/**
 * Keeps one audit shard's usage aggregates, counting each record exactly once.
 *
 * It reads the shard in the consumer group `kb-usage` through a LeasedStreamReader (created
 * at the stream's start, so the history already retained is counted too; one replica at a
 * time, under the shard's lease). Delivery by a consumer group is at least once: a batch can
 * come again after a crash between applying it and acknowledging it, or reach a replica that
 * lost its lease while the new holder has claimed it. Exactly once comes from the mark: the
 * apply script adds a batch and moves the shard's "applied up to stream ID" mark in one
 * atomic step, under the same hash tag as the aggregates, and only if the mark is still
 * where this worker read it; entries at or below the mark are skipped. The shard is read in
 * stream order (pending entries from the start, then new ones), so "below the mark" means
 * "already counted".
 */
export class UsageAggregator {
  readonly #options: UsageAggregatorOptions;
  readonly #reader: LeasedStreamReader;

  constructor(options: UsageAggregatorOptions) {
    this.#options = options;
    this.#reader = new LeasedStreamReader({
      redis: options.redis,
      connection: options.connection,
      stream: options.log,
      group: USAGE_GROUP,
      holder: options.holder,
      leaseKey: options.keys.lease,
      ...(options.leaseTtlMs ? { leaseTtlMs: options.leaseTtlMs } : {}),
      batch: options.batch ?? 500,
      ...(options.blockMs ? { blockMs: options.blockMs } : {}),
      logger: options.logger,
      what: "usage aggregation",
      handle: (batch) => this.#applyAndAck(batch),
    });
  }

  start(): void {
    this.#reader.start();
  }

  /** Stops after the batch under way (the mark decides what counts), then closes its connection. */
  async stop(): Promise<void> {
    await this.#reader.stop();
    this.#options.connection.disconnect();
  }

  /** Adds the entries past the mark, then acknowledges the whole batch. */
  async #applyAndAck(raw: RawEntry[]): Promise<void> {
    const { redis, connection, keys, log, holder } = this.#options;
    const last = raw.at(-1)![0];
    for (;;) {
      const mark = (await redis.get(keys.applied)) ?? "";
      if (mark && compareStreamIds(last, mark) <= 0) break;
      await this.#checkNoGap(mark, raw);
      // Entries the retention trimmed before they were read come back without fields.
      const fresh = parseEntries(raw).filter((e) => !mark || compareStreamIds(e.streamId, mark) > 0);
      const plan = planBatch(fresh, {
        keys,
        now: this.#options.clock.now(),
        retentionSeconds: this.#options.retentionSeconds,
      });
      const outcome = await applyPlan(
        redis,
        { key: keys.applied, expected: mark, next: last },
        { key: keys.lease, holder },
        plan,
      );
      if (outcome === "lease-lost") throw new LeaseLost();
      if (outcome === "applied") break;
    }
    await connection.call("xack", log, USAGE_GROUP, ...raw.map(([id]) => id));
  }

  /**
   * The first entry after the mark must be in this batch. It is not when entries in between
   * were delivered to another consumer (a worker that read on after its lease had lapsed):
   * skipping ahead would leave them below the mark, never counted. Then this worker claims
   * them and reads its pending entries again from the start, in order.
   */
  async #checkNoGap(mark: string, raw: RawEntry[]): Promise<void> {
    const { redis, log } = this.#options;
    const next = (await redis.call("xrange", log, mark ? `(${mark}` : "-", "+", "COUNT", 1)) as RawEntry[];
    const nextId = next[0]?.[0];
    const first = raw.find(([id]) => !mark || compareStreamIds(id, mark) > 0)![0];
    if (nextId !== undefined && compareStreamIds(nextId, first) < 0) throw new ReadAgain();
  }
}
