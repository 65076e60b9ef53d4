import { keyspace } from "../../shared/redis.ts";

/** The consumer group the usage aggregator reads each audit shard in. */
export const USAGE_GROUP = "kb-usage";

/**
 * The keys of one audit shard's usage aggregates. Everything the aggregator writes for a
 * shard shares one hash tag (`{usage:<shard>}`, one Cluster slot), so the script that adds a
 * batch's counts and moves the shard's "applied up to" mark is one atomic step on Redis
 * Cluster too. Shards hash to different slots, so on a Cluster the work spreads like the
 * audit stream's own shards.
 */
export interface UsageShardKeys {
  /** The highest stream ID of this shard whose counts are in the aggregates. */
  applied: string;
  /** The lease of this shard's aggregator (one replica at a time). */
  lease: string;
  /** Request counts of one UTC day (YYYY-MM-DD): field = permission, value = packed counts. */
  day(day: string): string;
  /**
   * Lifecycle facts of one UTC day (grants started, people seen). Lifecycle records are all
   * in shard 0 (audit-keys.ts shardOf), so only shard 0's keys have these.
   */
  lifecycle(day: string): string;
}

export function usageKeys(prefix: string, shardCount: number): UsageShardKeys[] {
  return Array.from({ length: shardCount }, (_, shard) => {
    const key = keyspace(prefix, `usage:${shard}`);
    return {
      applied: key("applied"),
      lease: key("lease"),
      day: (day: string) => key("day", day),
      lifecycle: (day: string) => key("life", day),
    };
  });
}

const DAY_MS = 86_400_000;

/** The UTC day of a time, as YYYY-MM-DD. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** When a day's bucket may go: the end of that day plus the retention. Seconds, for EXPIREAT. */
export function bucketExpiry(day: string, retentionSeconds: number): number {
  return Math.floor((Date.parse(`${day}T00:00:00Z`) + DAY_MS) / 1000) + retentionSeconds;
}

/** Every UTC day from the one holding `from` to the one holding `to`, oldest first. */
export function daysBetween(from: number, to: number): string[] {
  const days: string[] = [];
  for (let t = Math.floor(from / DAY_MS) * DAY_MS; t <= to; t += DAY_MS) days.push(dayOf(t));
  return days;
}
