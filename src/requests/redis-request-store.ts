import { keyspace, loadJsonHashes, type RedisClient } from "../shared/redis.ts";
import type { AccessRequest } from "./access-request.ts";
import type { RequestStore } from "./request-store.ts";

const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'json', ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[3])
return 1`;

// KEYS: request, pending. ARGV: json, version, state, id, retainSeconds
const COMPARE_AND_SET = `
local current = redis.call('HGET', KEYS[1], 'v')
if not current or tonumber(current) ~= tonumber(ARGV[2]) - 1 then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'json', ARGV[1])
if ARGV[3] ~= 'pending' then
  redis.call('ZREM', KEYS[2], ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[5])
end
return 1`;

/** How long a finished record is kept. */
const RETAIN_DECIDED_SECONDS = 30 * 86400;

/**
 * Access requests in Redis, like grants: a hash {v, json} per request for compare-and-set, a
 * `pending` sorted set scored by the request's own expiry, and a per-requester index; all
 * under the {requests} hash tag. Decided requests are kept for 30 days.
 */
export class RedisRequestStore implements RequestStore {
  readonly #redis: RedisClient;
  readonly #key: (...parts: string[]) => string;

  constructor(options: { redis: RedisClient; keyPrefix: string }) {
    this.#redis = options.redis;
    this.#key = keyspace(options.keyPrefix, "requests");
  }

  async create(request: AccessRequest): Promise<void> {
    const created = await this.#redis.eval(
      CREATE,
      3,
      this.#key("request", request.id),
      this.#key("pending"),
      this.#key("requester", request.requester.subject),
      JSON.stringify(request),
      String(request.version),
      request.id,
      String(request.expiresAt),
    );
    if (created !== 1) throw new Error(`request ${request.id} already exists`);
  }

  async get(id: string): Promise<AccessRequest | undefined> {
    const json = await this.#redis.hget(this.#key("request", id), "json");
    return json ? (JSON.parse(json) as AccessRequest) : undefined;
  }

  async listByRequester(subject: string): Promise<AccessRequest[]> {
    const key = this.#key("requester", subject);
    const ids = await this.#redis.smembers(key);
    const requests = await this.#load(ids);
    const gone = ids.filter((id) => !requests.some((r) => r.id === id));
    if (gone.length > 0) await this.#redis.srem(key, ...gone);
    return requests;
  }

  async listPending(): Promise<AccessRequest[]> {
    return this.#load(await this.#redis.zrange(this.#key("pending"), 0, "-1"));
  }

  pendingDue(now: number, limit: number): Promise<string[]> {
    return this.#redis.zrangebyscore(this.#key("pending"), "-inf", now, "LIMIT", 0, limit);
  }

  async compareAndSet(next: AccessRequest): Promise<boolean> {
    const result = await this.#redis.eval(
      COMPARE_AND_SET,
      2,
      this.#key("request", next.id),
      this.#key("pending"),
      JSON.stringify(next),
      String(next.version),
      next.state,
      next.id,
      String(RETAIN_DECIDED_SECONDS),
    );
    return result === 1;
  }

  async #load(ids: string[]): Promise<AccessRequest[]> {
    const loaded = await loadJsonHashes<AccessRequest>(
      this.#redis,
      ids.map((id) => this.#key("request", id)),
    );
    return loaded.filter((r): r is AccessRequest => r !== undefined);
  }
}
