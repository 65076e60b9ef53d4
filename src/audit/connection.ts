import { Cluster } from "ioredis";
import type { RedisClient } from "../shared/redis.ts";

/**
 * The audit feature's own connections, duplicated from the injected client (same address,
 * credentials and retry policy) but set to fail instead of queue while Redis is away:
 *
 * - no offline queue: a command sent while disconnected fails at once, so fail-closed
 *   refuses in microseconds instead of waiting out its timeout, and buffered mode spools;
 * - no resending of unanswered commands after a reconnect: a write the caller already gave
 *   up on (and refused the request for) must not land minutes later;
 * - blocking reads (live tail, export) get their own connection, so they never sit in front
 *   of other features' commands.
 */
export function dedicatedConnection(redis: RedisClient): RedisClient {
  const connection =
    redis instanceof Cluster
      ? redis.duplicate(undefined, {
          enableOfflineQueue: false,
          redisOptions: { autoResendUnfulfilledCommands: false, maxRetriesPerRequest: 0 },
        })
      : redis.duplicate({
          enableOfflineQueue: false,
          autoResendUnfulfilledCommands: false,
          maxRetriesPerRequest: 0,
        });
  // Errors surface on each command; the event would otherwise be printed by ioredis.
  connection.on("error", () => {});
  return connection;
}

export function isReady(redis: RedisClient): boolean {
  return redis.status === "ready";
}

/** Resolves when the connection is ready, or after `ms` either way (Redis may be down). */
export async function waitUntilReady(redis: RedisClient, ms: number): Promise<boolean> {
  if (isReady(redis)) return true;
  let timer: NodeJS.Timeout | undefined;
  let onReady: (() => void) | undefined;
  const ready = await new Promise<boolean>((resolve) => {
    onReady = () => resolve(true);
    timer = setTimeout(() => resolve(false), ms);
    redis.once("ready", onReady);
  });
  clearTimeout(timer);
  if (onReady) redis.off("ready", onReady);
  return ready;
}

export class TimeoutError extends Error {}

/** The promise's result, or a TimeoutError after `ms`; the command itself is not cancelled. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** Exponential backoff with full jitter, for loops that retry Redis or a sink. */
export function backoffMs(attempt: number, options: { initialMs: number; maxMs: number }): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** Runs `read` until it succeeds, backing off between failures; undefined once aborted. */
export async function retrying<T>(
  read: () => Promise<T>,
  signal: AbortSignal,
  onFailure?: (err: unknown, failures: number) => void,
): Promise<T | undefined> {
  for (let failures = 0; !signal.aborted; failures++) {
    try {
      return await read();
    } catch (err) {
      onFailure?.(err, failures);
      await sleep(backoffMs(failures, { initialMs: 100, maxMs: 5000 }), signal);
    }
  }
  return undefined;
}
