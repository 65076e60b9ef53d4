import type { Clock } from "../shared/clock.ts";
import { Lease } from "../shared/lease.ts";
import type { Logger } from "../shared/logger.ts";
import { LuaScript } from "../shared/lua-script.ts";
import type { RedisClient } from "../shared/redis.ts";
import { LUA_INDEX_MEMBER } from "./audit-index.ts";
import type { AuditKeys, ShardKeys } from "./audit-keys.ts";

export interface AuditRetentionOptions {
  redis: RedisClient;
  keys: AuditKeys;
  maxAgeSeconds: number;
  clock: Clock;
  logger: Logger;
  holder: string;
}

const INTERVAL_MS = 60_000;

/**
 * Retention by age. Length is bounded on every append (XADD MAXLEN ~); age cannot be, as
 * XADD takes one trim strategy, so one replica (under a lease) trims periodically with
 * XTRIM MINID ~, Redis-assigned IDs being milliseconds since the epoch. "~" lets Redis
 * drop whole radix-tree nodes only, which keeps trimming cheap; a few entries past the
 * limit may live until the next pass. Every shard is trimmed to the same age, and then each
 * of its indexes to what its stream still holds (by age or by length).
 */
export class AuditRetention {
  readonly #options: AuditRetentionOptions;
  readonly #lease: Lease;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: AuditRetentionOptions) {
    this.#options = options;
    this.#lease = new Lease({
      redis: options.redis,
      key: options.keys.retentionLease,
      ttlMs: INTERVAL_MS * 2,
      holder: options.holder,
    });
  }

  /** One pass; returns how many entries were removed (0 when another replica holds the lease). */
  async trimOnce(): Promise<number> {
    if (!(await this.#lease.acquire())) return 0;
    const minId = `${Math.max(0, this.#options.clock.now() - this.#options.maxAgeSeconds * 1000)}-0`;
    let removed = 0;
    for (const shard of this.#options.keys.shards) {
      removed += Number(await this.#options.redis.call("xtrim", shard.log, "MINID", "~", minId));
      await trimIndexes(this.#options.redis, shard);
    }
    if (removed > 0) this.#options.logger.debug({ removed, minId }, "trimmed old audit records");
    return removed;
  }

  start(): void {
    if (this.#timer) return;
    const pass = () =>
      this.trimOnce().catch((err: unknown) =>
        this.#options.logger.warn({ err: (err as Error).message }, "audit retention pass failed"),
      );
    this.#timer = setInterval(pass, INTERVAL_MS);
    this.#timer.unref();
    void pass();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#lease.release().catch(() => {});
  }
}

/**
 * Drops from indexes the members below their stream's oldest entry, and forgets the indexes
 * that are then empty (Redis deletes an empty sorted set). One script, so that no append
 * lands between reading the oldest entry and trimming to it (a record written meanwhile
 * into an empty stream would otherwise lose its index entries).
 */
const TRIM_SCRIPT = new LuaScript(`${LUA_INDEX_MEMBER}
local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
local below = oldest and ('(' .. indexMember(oldest[1])) or '+'
local gone = {}
for i = 3, #KEYS do
  redis.call('ZREMRANGEBYLEX', KEYS[i], '-', below)
  if redis.call('EXISTS', KEYS[i]) == 0 then gone[#gone + 1] = KEYS[i] end
end
if #gone > 0 then redis.call('SREM', KEYS[2], unpack(gone)) end
return #gone
`);

/** Trims every index of a shard (listed in its index set) to what its stream holds. */
export async function trimIndexes(redis: RedisClient, shard: ShardKeys): Promise<void> {
  let cursor = "0";
  do {
    const [next, names] = (await redis.call("sscan", shard.indexes, cursor, "COUNT", 500)) as [
      string,
      string[],
    ];
    cursor = next;
    if (names.length > 0) await TRIM_SCRIPT.run(redis, [shard.log, shard.indexes, ...names], []);
  } while (cursor !== "0");
}
