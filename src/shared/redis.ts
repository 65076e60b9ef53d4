import { Cluster, Redis } from "ioredis";
import type { Config } from "../config/schema.ts";

export type RedisClient = Redis | Cluster;

/**
 * One Redis connection from config: a URL, Sentinel, or Cluster. Commands fail fast while
 * Redis is away (instead of queueing forever) so fail-closed callers can refuse at once, and
 * none waits longer than `commandTimeout` for an answer: a Redis that is connected but
 * stalled (paused, swapping) would otherwise hold every request that touches it.
 */
export function createRedis(config: Config["redis"], env: NodeJS.ProcessEnv = process.env): RedisClient {
  const password = config.passwordEnv ? env[config.passwordEnv] : undefined;
  const common = {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    retryStrategy: (attempt: number) => Math.min(50 * attempt, 1000),
    // A master that a failover demoted while we stayed connected (it hung, then came back)
    // answers writes with READONLY: reconnect, which finds the new master.
    reconnectOnError: (err: Error) => err.message.startsWith("READONLY"),
    commandTimeout: Math.round(config.commandTimeout * 1000),
    ...(password ? { password } : {}),
  };
  if (config.cluster) {
    return new Cluster(config.cluster, { redisOptions: common, scaleReads: "master" });
  }
  if (config.sentinels) {
    // failoverDetector: drop the connection as soon as the sentinels switch masters, so no
    // write lands on a hung old master that rejoins as a replica and discards it.
    const sentinel = { sentinels: config.sentinels, name: config.sentinelMaster, failoverDetector: true };
    return new Redis({ ...common, ...sentinel });
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

/** Thrown by a caller that will not queue a command while the client is not connected. */
export class NotConnected extends Error {
  constructor() {
    super("not connected to Redis");
  }
}

/**
 * For the request path: fails at once while Redis is away. The shared client queues
 * commands until a reconnect attempt gives up (so background work rides out a blip), which
 * would hold a kubectl request for that long even when the caller has an answer without
 * Redis (the gateway serves grants it knows from memory).
 */
export function requireConnected(redis: RedisClient): void {
  if (redis.status !== "ready") throw new NotConnected();
}

/**
 * An error from the connection rather than from Redis: the socket closed or is closing
 * (ioredis can still say "ready" for a moment after the server went away), or Redis gave no
 * answer within `commandTimeout` (it is stalled). Either way: unavailable, try again.
 */
export function isConnectionError(err: unknown): boolean {
  const { name, code, message } = err as { name?: string; code?: string; message?: string };
  return (
    err instanceof NotConnected ||
    name === "MaxRetriesPerRequestError" ||
    ["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"].includes(code ?? "") ||
    /^(Connection is closed|Stream isn't writeable|Command timed out)/.test(message ?? "")
  );
}

const OWN_CONNECTION_RULES = {
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 0,
  // Each caller bounds its own wait (writes by their own timeout, blocking reads by their
  // BLOCK argument); the shared client's commandTimeout would cut a read that is waiting.
  commandTimeout: undefined,
};

/**
 * A feature's own connection, duplicated from the injected client (same address, credentials
 * and retry policy) but set to fail instead of queue while Redis is away:
 *
 * - no offline queue: a command sent while disconnected fails at once, so fail-closed
 *   refuses in microseconds instead of waiting out its timeout, and buffered mode spools;
 * - no resending of unanswered commands after a reconnect: a write the caller already gave
 *   up on (and refused the request for) must not land minutes later;
 * - blocking reads (live tail, export, notifications) get their own connection, so they never
 *   sit in front of other features' commands, and no client-side command timeout.
 */
export function dedicatedConnection(redis: RedisClient): RedisClient {
  const connection =
    redis instanceof Cluster
      ? redis.duplicate(undefined, {
          enableOfflineQueue: false,
          // Cluster's duplicate replaces redisOptions whole: keep the password and the rest.
          redisOptions: { ...redis.options.redisOptions, ...OWN_CONNECTION_RULES },
        })
      : redis.duplicate({ enableOfflineQueue: false, ...OWN_CONNECTION_RULES });
  // Errors surface on each command; the event would otherwise be printed by ioredis.
  connection.on("error", () => {});
  return connection;
}

/**
 * Resolves once `connection` is ready, or `signal` aborts. A dedicated connection has no
 * offline queue, so a command sent before it is up fails rather than waits.
 */
export async function whenReady(connection: RedisClient, signal: AbortSignal): Promise<void> {
  if (connection.status === "ready") return;
  await new Promise<void>((resolve) => {
    const done = () => {
      connection.off("ready", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    connection.once("ready", done);
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Creates a stream's consumer group reading from its beginning (or, `from: "$"`, from what is
 * written after it); one that exists is kept, with its position.
 */
export async function ensureConsumerGroup(
  redis: RedisClient,
  stream: string,
  group: string,
  from: "0" | "$" = "0",
): Promise<void> {
  try {
    await redis.call("xgroup", "CREATE", stream, group, from, "MKSTREAM");
  } catch (err) {
    if (!String((err as Error).message).startsWith("BUSYGROUP")) throw err;
  }
}
