import type { RedisClient } from "./redis.ts";

/**
 * A Redis lease: at most one holder at a time, for work that one replica should do (expiry,
 * reconcile, export). It lapses by itself if the holder dies, so another replica takes over.
 * Only the holder (by token) can renew or release it.
 */
export class Lease {
  readonly #redis: RedisClient;
  readonly #key: string;
  readonly #ttlMs: number;
  readonly #token: string;

  constructor(options: { redis: RedisClient; key: string; ttlMs: number; holder: string }) {
    this.#redis = options.redis;
    this.#key = options.key;
    this.#ttlMs = options.ttlMs;
    this.#token = options.holder;
  }

  /** Takes the lease if free, or renews it if already ours. True when we hold it. */
  async acquire(): Promise<boolean> {
    const result = await this.#redis.eval(
      `local v = redis.call('GET', KEYS[1])
       if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
       if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
       return 0`,
      1,
      this.#key,
      this.#token,
      String(this.#ttlMs),
    );
    return result === 1;
  }

  async release(): Promise<void> {
    await this.#redis.eval(
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
      1,
      this.#key,
      this.#token,
    );
  }
}
