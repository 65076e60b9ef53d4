import { Cluster, Redis } from "ioredis";
import type { Config } from "../config/schema.ts";

export type RedisClient = Redis | Cluster;

/**
 * One Redis connection from config: a URL, Sentinel, or Cluster. Commands fail fast while
 * Redis is away (instead of queueing forever) so fail-closed callers can refuse at once.
 */
export function createRedis(config: Config["redis"], env: NodeJS.ProcessEnv = process.env): RedisClient {
  const password = config.passwordEnv ? env[config.passwordEnv] : undefined;
  const common = {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    retryStrategy: (attempt: number) => Math.min(50 * attempt, 1000),
    ...(password ? { password } : {}),
  };
  if (config.cluster) {
    return new Cluster(config.cluster, { redisOptions: common, scaleReads: "master" });
  }
  if (config.sentinels) {
    return new Redis({ ...common, sentinels: config.sentinels, name: config.sentinelMaster });
  }
  const url = config.url!;
  if (url.startsWith("unix://")) return new Redis({ ...common, path: url.slice("unix://".length) });
  return new Redis(url, common);
}

/**
 * Key names under the configured prefix. Each feature keeps its keys under one hash tag so
 * its multi-key scripts run on Redis Cluster (all of a feature's keys share a slot).
 */
export function keyspace(prefix: string, feature: string): (...parts: string[]) => string {
  return (...parts) => [`${prefix}{${feature}}`, ...parts].join(":");
}

/** The `json` field of many `{v, json}` hashes in one round trip; undefined where a key is gone. */
export async function loadJsonHashes<T>(redis: RedisClient, keys: string[]): Promise<(T | undefined)[]> {
  if (keys.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.hget(key, "json");
  const results = (await pipeline.exec()) ?? [];
  return results.map(([err, json]) => {
    if (err) throw err;
    return typeof json === "string" ? (JSON.parse(json) as T) : undefined;
  });
}

/**
 * An error from the connection rather than from Redis: the socket closed or is closing
 * (ioredis can still say "ready" for a moment after the server went away).
 */
export function isConnectionError(err: unknown): boolean {
  const { name, code, message } = err as { name?: string; code?: string; message?: string };
  return (
    name === "MaxRetriesPerRequestError" ||
    ["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"].includes(code ?? "") ||
    /^(Connection is closed|Stream isn't writeable)/.test(message ?? "")
  );
}
