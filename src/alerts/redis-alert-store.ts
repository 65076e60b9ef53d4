import { LuaScript } from "../shared/lua-script.ts";
import { keyspace, type RedisClient } from "../shared/redis.ts";
import { digest } from "./alert-identity.ts";
import { alertLogKeys } from "./alert-log-keys.ts";
import type { Alert } from "./alert-rule.ts";
import type { AlertStore, SightingInput, WindowAnswer, WindowInput } from "./alert-store.ts";

/**
 * The window: a sorted set of record ids scored by record time (a record counted twice is one
 * member), and beside it, in the same hash tag, the group's state: whether it is above the
 * threshold, which record took it there, and the latest record time seen. The window ends at
 * that latest time, not at each record's own, so a late record from another replica cannot
 * see an emptier window, drop the group below and let the next record fire a second time.
 */
const CROSSED = new LuaScript(`
local id, at, win, need, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local state = redis.call('HMGET', KEYS[2], 'crossing', 'above', 'latest')
redis.call('ZADD', KEYS[1], 'NX', at, id)
local latest = math.max(at, tonumber(state[3]) or at)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', latest - win)
local n = redis.call('ZCARD', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ttl)
if state[1] == id then return {1, n} end
local crossed = 0
if n < need then
  redis.call('HSET', KEYS[2], 'above', '0')
elseif state[2] ~= '1' then
  redis.call('HSET', KEYS[2], 'above', '1', 'crossing', id)
  crossed = 1
end
if latest > (tonumber(state[3]) or -1) then redis.call('HSET', KEYS[2], 'latest', ARGV[2]) end
redis.call('PEXPIRE', KEYS[2], ttl)
return {crossed, n}`);

/** A sighting: the latest time seen, and the record that was the first in its horizon. */
const FIRST_SEEN = new LuaScript(`
local s = redis.call('HMGET', KEYS[1], 'last', 'novel')
if s[2] == ARGV[1] then return 1 end
local at, last = tonumber(ARGV[2]), tonumber(s[1])
local novel = last == nil or at - last >= tonumber(ARGV[3])
if last == nil or at > last then redis.call('HSET', KEYS[1], 'last', ARGV[2]) end
if novel then redis.call('HSET', KEYS[1], 'novel', ARGV[1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if novel then return 1 end
return 0`);

/**
 * Claims an alert id and appends the alert to the log, or does nothing if it was claimed. The
 * claim holds the entry's stream ID, so that GET /v1/alerts/<id> finds it.
 * The claim keys share the log's hash tag, so this is one atomic step on Redis Cluster too.
 */
const FIRE = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local id = redis.call('XADD', KEYS[2], 'MINID', '~', ARGV[2], '*', 'alert', ARGV[3])
redis.call('SET', KEYS[1], id, 'PX', ARGV[1])
return 1`);

/**
 * AlertStore in Redis. Every key of one rule and one group value (or one first-seen subject)
 * shares a hash tag, `{alerts:<digest>}`, so each script touches one Redis Cluster slot while
 * the rules and groups spread over all of them. Fired alerts go to one log, `{alerts}:log`,
 * beside their claim keys (alert volume is low; one slot holds it easily).
 */
export class RedisAlertStore implements AlertStore {
  readonly #redis: RedisClient;
  readonly #prefix: string;

  constructor(options: { redis: RedisClient; keyPrefix: string }) {
    this.#redis = options.redis;
    this.#prefix = options.keyPrefix;
  }

  async crossed(input: WindowInput): Promise<WindowAnswer> {
    const key = this.#keys("window", input.rule, input.group);
    // Kept a window past the last record: a late record still finds its window's members.
    const ttl = 2 * input.windowMs;
    const args = [input.recordId, input.at, input.windowMs, input.count, ttl].map(String);
    const [crossed, inWindow] = (await CROSSED.run(this.#redis, [key("set"), key("state")], args)) as [
      number,
      number,
    ];
    return { crossed: crossed === 1, inWindow };
  }

  async firstSeen(input: SightingInput): Promise<boolean> {
    const key = this.#keys("seen", input.rule, input.subject)("last");
    const args = [input.recordId, input.at, input.horizonMs, input.horizonMs].map(String);
    return (await FIRST_SEEN.run(this.#redis, [key], args)) === 1;
  }

  async fire(alert: Alert, options: { ttlMs: number; keepAfterMs: number }): Promise<boolean> {
    const keys = alertLogKeys(this.#prefix);
    const args = [
      String(options.ttlMs),
      String(Math.max(0, Math.floor(options.keepAfterMs))),
      JSON.stringify(alert),
    ];
    return (await FIRE.run(this.#redis, [keys.claim(alert.id), keys.log], args)) === 1;
  }

  #keys(kind: string, rule: string, value: string): (...parts: string[]) => string {
    return keyspace(this.#prefix, `alerts:${digest(kind, rule, value)}`);
  }
}
