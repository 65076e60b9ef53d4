import type { Cluster, Redis } from "ioredis";
import { type RedisClusterHarness, startRedisCluster } from "../../tools/redis/redis-cluster.ts";
import { type RedisSentinelHarness, startRedisSentinel } from "../../tools/redis/redis-sentinel.ts";
import { type RedisHarness, startRedis } from "../../tools/redis/redis-server.ts";

/**
 * The Redis a stack runs on: one server (the default), a Redis Cluster of three masters with
 * a replica each, or a master and replica behind three sentinels. Each harness gives the
 * same few things tests use (a prefix, clients, clear, close); `redisConfig` is the
 * broker's `redis` config section that reaches it.
 */
export type RedisTopology = "single" | "cluster" | "sentinel";

export type TopologyHarness<T extends RedisTopology> = T extends "cluster"
  ? RedisClusterHarness
  : T extends "sentinel"
    ? RedisSentinelHarness
    : RedisHarness;

/** What every topology's harness offers: enough for the audit readers and stores in tests. */
export interface AnyRedisHarness {
  keyPrefix: string;
  client(): Redis | Cluster;
  clear(): Promise<void>;
  close(): Promise<void>;
}

export async function startTopology<T extends RedisTopology>(topology: T): Promise<TopologyHarness<T>> {
  if (topology === "cluster") return (await startRedisCluster()) as TopologyHarness<T>;
  if (topology === "sentinel") return (await startRedisSentinel()) as TopologyHarness<T>;
  return (await startRedis({ persist: true })) as TopologyHarness<T>;
}

export function redisConfig(redis: RedisHarness | RedisClusterHarness | RedisSentinelHarness) {
  if ("seeds" in redis) return { cluster: redis.seeds, keyPrefix: redis.keyPrefix };
  if ("sentinels" in redis)
    return { sentinels: redis.sentinels, sentinelMaster: redis.masterName, keyPrefix: redis.keyPrefix };
  return { url: redis.url, keyPrefix: redis.keyPrefix };
}
