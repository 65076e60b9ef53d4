import { sha256 } from "../../shared/ids.ts";
import { keyspace, type RedisClient } from "../../shared/redis.ts";
import type { ReplayGuard } from "./replay-guard.ts";

/**
 * Used jtis in Redis: one `SET NX PX` per token, so all replicas share it and it cleans up
 * by itself once the token could not pass the time checks anyway. Keys hold a hash of
 * issuer and jti (two issuers may reuse a jti; a jti is attacker-chosen text of any length),
 * never the token.
 */
export class RedisReplayGuard implements ReplayGuard {
  readonly #redis: RedisClient;
  readonly #key: (...parts: string[]) => string;

  constructor(options: { redis: RedisClient; keyPrefix: string }) {
    this.#redis = options.redis;
    this.#key = keyspace(options.keyPrefix, "ci");
  }

  async firstUse(issuer: string, jti: string, untilMs: number, nowMs: number): Promise<boolean> {
    const ttlMs = Math.max(1000, Math.ceil(untilMs - nowMs));
    return (await this.#redis.set(this.#jtiKey(issuer, jti), "1", "PX", ttlMs, "NX")) === "OK";
  }

  async forget(issuer: string, jti: string): Promise<void> {
    await this.#redis.del(this.#jtiKey(issuer, jti));
  }

  #jtiKey(issuer: string, jti: string): string {
    return this.#key("jti", sha256(`${issuer}\n${jti}`));
  }
}
