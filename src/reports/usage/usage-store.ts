import type { RedisClient } from "../../shared/redis.ts";
import { addLifecycleDay, type LifecycleFacts } from "./lifecycle-facts.ts";
import {
  mergeCounts,
  type Permission,
  parsePermissionField,
  type UsageCounts,
  unpackCounts,
} from "./usage-counts.ts";
import { daysBetween, type UsageShardKeys } from "./usage-keys.ts";

/** One permission's use over a window, summed over its days and shards. */
export interface UsageRow {
  permission: Permission;
  counts: UsageCounts;
}

/**
 * Reads the aggregates of a window: one HGETALL per shard and day, so the cost grows with
 * the days asked for and the distinct permissions used in them, never with the records.
 * Days are UTC buckets: the first day of a window counts whole, except that permissions
 * last used before the window's start are left out.
 */
export class UsageStore {
  readonly #redis: RedisClient;
  readonly #keys: readonly UsageShardKeys[];

  constructor(options: { redis: RedisClient; keys: readonly UsageShardKeys[] }) {
    this.#redis = options.redis;
    this.#keys = options.keys;
  }

  async usage(from: number, to: number): Promise<UsageRow[]> {
    const merged = new Map<string, UsageCounts>();
    const hashes = await this.#read(from, to, (keys, day) => keys.day(day));
    for (const hash of hashes) {
      for (const [field, value] of Object.entries(hash)) {
        const counts = unpackCounts(value);
        if (!counts || counts.lastSeen < from) continue;
        const seen = merged.get(field);
        if (seen) mergeCounts(seen, counts);
        else merged.set(field, counts);
      }
    }
    const rows: UsageRow[] = [];
    for (const [field, counts] of merged) {
      const permission = parsePermissionField(field);
      if (permission) rows.push({ permission, counts });
    }
    return rows;
  }

  async lifecycle(from: number, to: number): Promise<LifecycleFacts> {
    const facts: LifecycleFacts = { grants: new Map(), people: new Map() };
    for (const hash of await this.#read(from, to, (keys, day) => keys.lifecycle(day))) {
      addLifecycleDay(facts, hash);
    }
    return facts;
  }

  /** HGETALL of one key per shard and day, oldest day first; a pipeline per shard (one slot). */
  async #read(
    from: number,
    to: number,
    keyOf: (keys: UsageShardKeys, day: string) => string,
  ): Promise<Record<string, string>[]> {
    const days = daysBetween(from, to);
    const perShard = await Promise.all(
      this.#keys.map(async (keys) => {
        const pipeline = this.#redis.pipeline();
        for (const day of days) pipeline.hgetall(keyOf(keys, day));
        const results = (await pipeline.exec()) ?? [];
        return results.map(([err, hash]) => {
          if (err) throw err;
          return hash as Record<string, string>;
        });
      }),
    );
    return perShard.flat();
  }
}
