import type { Request, RequestHandler, Response } from "express";
import type { Clock } from "../shared/clock.ts";
import { TooManyRequests } from "../shared/errors.ts";
import { keyspace, type RedisClient } from "../shared/redis.ts";
import { getPrincipal } from "./principal.ts";

const WINDOW_MS = 60_000;

const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

/**
 * A per-minute limit shared by all replicas (a fixed window counter in Redis), counted per
 * client address (before sign-in) or per signed-in principal.
 */
export class RateLimiter {
  readonly #redis: RedisClient;
  readonly #key: (...parts: string[]) => string;
  readonly #clock: Clock;

  constructor(options: { redis: RedisClient; keyPrefix: string; clock: Clock }) {
    this.#redis = options.redis;
    this.#key = keyspace(options.keyPrefix, "ratelimit");
    this.#clock = options.clock;
  }

  /** Counts one hit; throws TooManyRequests once `perMinute` is exceeded in this window. */
  async hit(bucket: string, who: string, perMinute: number): Promise<void> {
    const now = this.#clock.now();
    const window = Math.floor(now / WINDOW_MS);
    const count = Number(
      await this.#redis.eval(HIT, 1, this.#key(bucket, who, String(window)), String(WINDOW_MS)),
    );
    if (count > perMinute) {
      const retryAfter = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
      throw new TooManyRequests(`too many ${bucket} requests; try again in ${retryAfter} s`, retryAfter);
    }
  }

  middleware(bucket: string, perMinute: number, per: "client" | "principal"): RequestHandler {
    const keyOf = per === "client" ? byClient : byPrincipal;
    return (req, res, next) => {
      this.hit(bucket, keyOf(req, res), perMinute).then(() => next(), next);
    };
  }
}

const byClient = (req: Request): string => `ip:${req.ip ?? req.socket.remoteAddress ?? "unknown"}`;
const byPrincipal = (_req: Request, res: Response): string => `principal:${getPrincipal(res).subject}`;
