import { backoffMs, sleep } from "../shared/backoff.ts";
import type { RedisClient } from "../shared/redis.ts";

// Shared with other features' stream consumers; re-exported where the audit code looks for them.
export { backoffMs, sleep } from "../shared/backoff.ts";
export { dedicatedConnection } from "../shared/redis.ts";

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
