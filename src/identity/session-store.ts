import type { Principal } from "../shared/principal.ts";
import { keyspace, type RedisClient } from "../shared/redis.ts";

export interface StoredSession {
  principal: Principal;
  createdAt: number;
  expiresAt: number;
  /** The IdP refresh token, sealed with the session secret (session-crypto.ts). */
  sealedRefreshToken?: string;
  /** When the IdP last confirmed this person (ms). */
  checkedAt: number;
}

/**
 * Broker sessions in Redis, keyed by the SHA-256 of the session secret (the secret itself is
 * never stored) and indexed by subject so an admin can end all of a person's sessions.
 */
export class SessionStore {
  readonly #redis: RedisClient;
  readonly #key: (...parts: string[]) => string;

  constructor(options: { redis: RedisClient; keyPrefix: string }) {
    this.#redis = options.redis;
    this.#key = keyspace(options.keyPrefix, "sessions");
  }

  async save(hash: string, session: StoredSession): Promise<void> {
    const bySubject = this.#key("by-subject", session.principal.subject);
    await this.#redis
      .multi()
      .set(this.#key("s", hash), JSON.stringify(session), "PXAT", session.expiresAt)
      .sadd(bySubject, hash)
      .pexpireat(bySubject, session.expiresAt, "GT")
      .exec();
  }

  /** Rewrites a session only if it still exists (a concurrent logout wins). */
  async update(hash: string, session: StoredSession): Promise<void> {
    await this.#redis.set(this.#key("s", hash), JSON.stringify(session), "PXAT", session.expiresAt, "XX");
  }

  async get(hash: string): Promise<StoredSession | undefined> {
    const json = await this.#redis.get(this.#key("s", hash));
    return json ? (JSON.parse(json) as StoredSession) : undefined;
  }

  async delete(hash: string, subject: string): Promise<boolean> {
    const [[, deleted] = []] =
      (await this.#redis
        .multi()
        .del(this.#key("s", hash))
        .srem(this.#key("by-subject", subject), hash)
        .exec()) ?? [];
    return deleted === 1;
  }

  /**
   * Claims the right to re-check a session with the IdP for a while, so concurrent requests
   * do not all refresh (IdPs that rotate refresh tokens would reject all but the first).
   */
  async claimRecheck(hash: string, ttlMs: number): Promise<boolean> {
    return (await this.#redis.set(this.#key("recheck", hash), "1", "PX", ttlMs, "NX")) === "OK";
  }

  /** Deletes every session of a subject; returns how many were live. */
  async deleteAllOf(subject: string): Promise<number> {
    const bySubject = this.#key("by-subject", subject);
    const hashes = await this.#redis.smembers(bySubject);
    if (hashes.length === 0) return 0;
    const removed = await this.#redis.del(...hashes.map((h) => this.#key("s", h)));
    await this.#redis.del(bySubject);
    return removed;
  }
}
