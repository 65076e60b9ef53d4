import { Cluster } from "ioredis";
import { keyspace, loadJsonHashes, type RedisClient, requireConnected } from "../shared/redis.ts";
import type { Grant } from "./grant.ts";
import { GrantExists, type GrantStore } from "./grant-store.ts";

const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'json', ARGV[1])
redis.call('SET', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
redis.call('SADD', KEYS[4], ARGV[3])
redis.call('ZADD', KEYS[5], ARGV[5], ARGV[3])
return 1`;

// KEYS: grant, open, sa-index. ARGV: json, version, state, id, channel, retainSeconds, expiresAt
const COMPARE_AND_SET = `
local current = redis.call('HGET', KEYS[1], 'v')
if not current or tonumber(current) ~= tonumber(ARGV[2]) - 1 then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'json', ARGV[1])
if ARGV[3] == 'ended' then
  redis.call('ZREM', KEYS[2], ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[6])
  redis.call('EXPIRE', KEYS[3], ARGV[6])
  redis.call('PUBLISH', ARGV[5], ARGV[4])
else
  redis.call('ZADD', KEYS[2], ARGV[7], ARGV[4])
end
return 1`;

const UNLOCK = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/** How long a finished record is kept. */
const RETAIN_ENDED_SECONDS = 7 * 86400;
/** Grants loaded (and parsed) per round trip when listing many. */
const LOAD_PAGE = 500;

/**
 * Grants in Redis. Each grant is a hash {v, json} so compare-and-set compares a number; an
 * `open` sorted set (score = deadline) is the expiry index; secondary keys map a
 * ServiceAccount name and a principal to grants. Every key shares the {grants} hash tag so
 * the scripts run on Redis Cluster. Ended grants are kept for a week so the
 * gateway and people can still see why access ended.
 */
export class RedisGrantStore implements GrantStore {
  readonly #redis: RedisClient;
  readonly #key: (...parts: string[]) => string;

  constructor(options: { redis: RedisClient; keyPrefix: string }) {
    this.#redis = options.redis;
    this.#key = keyspace(options.keyPrefix, "grants");
  }

  async create(grant: Grant): Promise<void> {
    const created = await this.#redis.eval(
      CREATE,
      5,
      this.#key("grant", grant.id),
      this.#saKey(grant.cluster, grant.serviceAccount.name),
      this.#key("open"),
      this.#key("principal", grant.principal.subject),
      this.#key("index"),
      JSON.stringify(grant),
      String(grant.version),
      grant.id,
      String(grant.expiresAt),
      String(grant.createdAt),
    );
    if (created !== 1) throw new GrantExists(`grant ${grant.id} or its ServiceAccount name already exists`);
  }

  async get(id: string): Promise<Grant | undefined> {
    const json = await this.#redis.hget(this.#key("grant", id), "json");
    return json ? (JSON.parse(json) as Grant) : undefined;
  }

  /** The gateway's lookup, on every request's path: never queued while Redis is away. */
  async findByServiceAccount(cluster: string, name: string): Promise<Grant | undefined> {
    requireConnected(this.#redis);
    const id = await this.#redis.get(this.#saKey(cluster, name));
    return id ? this.get(id) : undefined;
  }

  async listByPrincipal(subject: string): Promise<Grant[]> {
    const key = this.#key("principal", subject);
    return this.#load(await this.#redis.smembers(key), (gone) => this.#redis.srem(key, ...gone));
  }

  async listOpen(): Promise<Grant[]> {
    return this.#load(await this.openIds());
  }

  openIds(): Promise<string[]> {
    return this.#redis.zrange(this.#key("open"), 0, "-1");
  }

  async *openPages(size: number): AsyncIterable<Grant[]> {
    const ids = await this.openIds();
    for (let at = 0; at < ids.length; at += size) yield await this.#load(ids.slice(at, at + size));
  }

  countOpen(): Promise<number> {
    return this.#redis.zcard(this.#key("open"));
  }

  async listAll(options: { includeEnded?: boolean } = {}): Promise<Grant[]> {
    const key = this.#key("index");
    const grants = await this.#load(await this.#redis.zrange(key, 0, "-1"), (gone) =>
      this.#redis.zrem(key, ...gone),
    );
    return options.includeEnded ? grants : grants.filter((g) => g.state !== "ended");
  }

  dueBefore(until: number, limit: number, latest = false): Promise<string[]> {
    return latest
      ? this.#redis.zrevrangebyscore(this.#key("open"), until, "-inf", "LIMIT", 0, limit)
      : this.#redis.zrangebyscore(this.#key("open"), "-inf", until, "LIMIT", 0, limit);
  }

  async nextDeadline(): Promise<number | undefined> {
    const [, score] = await this.#redis.zrange(this.#key("open"), 0, "0", "WITHSCORES");
    return score === undefined ? undefined : Number(score);
  }

  async compareAndSet(next: Grant): Promise<boolean> {
    const result = await this.#redis.eval(
      COMPARE_AND_SET,
      3,
      this.#key("grant", next.id),
      this.#key("open"),
      this.#saKey(next.cluster, next.serviceAccount.name),
      JSON.stringify(next),
      String(next.version),
      next.state,
      next.id,
      this.#key("ended"),
      String(RETAIN_ENDED_SECONDS),
      String(next.expiresAt),
    );
    return result === 1;
  }

  async tryLock(id: string, holder: string, ttlMs: number): Promise<boolean> {
    return (await this.#redis.set(this.#key("lock", id), holder, "PX", ttlMs, "NX")) === "OK";
  }

  async unlock(id: string, holder: string): Promise<void> {
    await this.#redis.eval(UNLOCK, 1, this.#key("lock", id), holder);
  }

  async subscribeEnded(
    onEnded: (grantId: string) => void,
    onResync?: () => void,
  ): Promise<() => Promise<void>> {
    const channel = this.#key("ended");
    // Pub/sub needs a connection of its own (on a Cluster, a Cluster client whose subscriber
    // connection follows the nodes; PUBLISH reaches every node of a Cluster).
    const subscriber: RedisClient =
      this.#redis instanceof Cluster ? this.#redis.duplicate() : this.#redis.duplicate();
    subscriber.on("error", () => {});
    subscriber.on("message", (from: string, id: string) => {
      if (from === channel) onEnded(id);
    });
    await subscriber.subscribe(channel);
    // ioredis resubscribes after a reconnect; whatever was announced in between is lost.
    subscriber.on("ready", () => onResync?.());
    // A Cluster client moves its subscription to another node when a node leaves (a
    // failover) without a "ready": what was announced meanwhile is lost the same way.
    if (subscriber instanceof Cluster) subscriber.on("-node", () => onResync?.());
    return async () => {
      subscriber.disconnect();
    };
  }

  #saKey(cluster: string, name: string): string {
    return this.#key("sa", cluster, name);
  }

  /** Loads grants by id, dropping (and optionally forgetting) ids whose record has expired. */
  async #load(ids: string[], forget?: (gone: string[]) => Promise<unknown>): Promise<Grant[]> {
    // A page at a time: parsing 10,000 grants in one go would hold the event loop for tens of ms.
    const loaded: (Grant | undefined)[] = [];
    for (let at = 0; at < ids.length; at += LOAD_PAGE) {
      const page = ids.slice(at, at + LOAD_PAGE).map((id) => this.#key("grant", id));
      loaded.push(...(await loadJsonHashes<Grant>(this.#redis, page)));
    }
    const gone = ids.filter((_, i) => loaded[i] === undefined);
    if (gone.length > 0 && forget) await forget(gone);
    return loaded.filter((g): g is Grant => g !== undefined);
  }
}
