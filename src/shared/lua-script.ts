import { createHash } from "node:crypto";
import type { RedisClient } from "./redis.ts";

/**
 * A Lua script run by its SHA (EVALSHA), sent in full only when Redis does not know it yet
 * (NOSCRIPT: a new server, a restart, a failover). A hot script sent as text on every call
 * costs the client the bytes and Redis a hash of them each time.
 */
export class LuaScript {
  readonly source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.source = source;
    this.#sha = createHash("sha1").update(source).digest("hex");
  }

  async run(
    redis: RedisClient,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await redis.call("evalsha", this.#sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).startsWith("NOSCRIPT")) throw err;
      return redis.call("eval", this.source, keys.length, ...keys, ...args);
    }
  }
}
