import { keyspace, type RedisClient } from "../shared/redis.ts";
import type { FeedCopy, ScheduleCache } from "./schedule-cache.ts";

/**
 * Kept this long after the last good read: long enough to ride out any outage of a feed,
 * short enough that a schedule removed from the config does not stay in Redis for ever.
 */
const RETAIN_SECONDS = 30 * 86400;

/** Last good copies of feeds in Redis: one hash per schedule under the {oncall} hash tag. */
export class RedisScheduleCache implements ScheduleCache {
  readonly #redis: RedisClient;
  readonly #key: (...parts: string[]) => string;

  constructor(options: { redis: RedisClient; keyPrefix: string }) {
    this.#redis = options.redis;
    this.#key = keyspace(options.keyPrefix, "oncall");
  }

  async load(schedule: string): Promise<FeedCopy | undefined> {
    const fields = await this.#redis.hgetall(this.#key("schedule", schedule));
    if (!fields.text || !fields.fetchedAt || !fields.source) return undefined;
    return { text: fields.text, fetchedAt: Number(fields.fetchedAt), source: fields.source };
  }

  async save(schedule: string, copy: FeedCopy): Promise<void> {
    const key = this.#key("schedule", schedule);
    await this.#redis
      .multi()
      .hset(key, "text", copy.text, "fetchedAt", String(copy.fetchedAt), "source", copy.source)
      .expire(key, RETAIN_SECONDS)
      .exec();
  }

  async touch(schedule: string, fetchedAt: number): Promise<void> {
    const key = this.#key("schedule", schedule);
    // Only a copy that is there: a touch must not leave a hash with no text.
    await this.#redis.eval(
      "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'fetchedAt', ARGV[1]); redis.call('EXPIRE', KEYS[1], ARGV[2]) end",
      1,
      key,
      String(fetchedAt),
      String(RETAIN_SECONDS),
    );
  }
}
