import { keyspace, type RedisClient } from "../shared/redis.ts";
import type { Suspension, SuspensionStore } from "./suspension-store.ts";

const TAKE =
  "local v = redis.call('HGET', KEYS[1], ARGV[1]) if v then redis.call('HDEL', KEYS[1], ARGV[1]) end return v";

/**
 * Suspensions in one Redis hash under the {suspensions} hash tag, one field per cluster and
 * person: few exist at a time, and the credentials path reads one field. They last until
 * lifted, with no TTL: a suspension that lapsed by itself would defeat its purpose.
 */
export class RedisSuspensionStore implements SuspensionStore {
  readonly #redis: RedisClient;
  readonly #key: string;

  constructor(options: { redis: RedisClient; keyPrefix: string }) {
    this.#redis = options.redis;
    this.#key = keyspace(options.keyPrefix, "suspensions")("all");
  }

  async create(suspension: Suspension): Promise<boolean> {
    const field = fieldOf(suspension.cluster, suspension.user);
    return (await this.#redis.hsetnx(this.#key, field, JSON.stringify(suspension))) === 1;
  }

  async get(cluster: string, user: string): Promise<Suspension | undefined> {
    const json = await this.#redis.hget(this.#key, fieldOf(cluster, user));
    return json ? (JSON.parse(json) as Suspension) : undefined;
  }

  async list(): Promise<Suspension[]> {
    const all = await this.#redis.hvals(this.#key);
    return all.map((json) => JSON.parse(json) as Suspension);
  }

  async delete(cluster: string, user: string): Promise<Suspension | undefined> {
    const json = (await this.#redis.eval(TAKE, 1, this.#key, fieldOf(cluster, user))) as string | null;
    return json ? (JSON.parse(json) as Suspension) : undefined;
  }
}

/** JSON of the pair: no separator a cluster or a person's name could contain. */
function fieldOf(cluster: string, user: string): string {
  return JSON.stringify([cluster, user]);
}
