import type { Request, RequestHandler, Response } from "express";
import { TooManyRequests } from "../shared/errors.ts";
import { keyspace, type RedisClient } from "../shared/redis.ts";

const WINDOW_MS = 60_000;

const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

/**
 * A per-minute limit shared by all replicas (a fixed window counter in Redis). `keyOf` picks
 * who is counted: the client address, the signed-in principal, or both through two limiters.
 */
export class RateLimiter {
  readonly #redis: RedisClient;
  readonly #key: (...parts: string[]) => string;

  constructor(options: { redis: RedisClient; keyPrefix: string }) {
    this.#redis = options.redis;
    this.#key = keyspace(options.keyPrefix, "ratelimit");
  }

  /** Counts one hit; throws TooManyRequests once `perMinute` is exceeded in this window. */
  async hit(bucket: string, who: string, perMinute: number, now = Date.now()): Promise<void> {
    const window = Math.floor(now / WINDOW_MS);
    const count = Number(
      await this.#redis.eval(HIT, 1, this.#key(bucket, who, String(window)), String(WINDOW_MS)),
    );
    if (count > perMinute) {
      const retryAfter = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
      throw new TooManyRequests(`too many ${bucket} requests; try again in ${retryAfter} s`, retryAfter);
    }
  }

  middleware(
    bucket: string,
    perMinute: number,
    keyOf: (req: Request, res: Response) => string | undefined,
  ): RequestHandler {
    return (req, res, next) => {
      const who = keyOf(req, res);
      if (!who) return next();
      this.hit(bucket, who, perMinute).then(() => next(), next);
    };
  }
}

export const byClient = (req: Request): string => `ip:${req.ip ?? req.socket.remoteAddress ?? "unknown"}`;
