import type { RedisClient } from "../../shared/redis.ts";
import { isConnectionError } from "../../shared/redis.ts";
import type { AuditMetrics, WriteFailureReason } from "../audit-metrics.ts";
import { isReady, TimeoutError, withTimeout } from "../connection.ts";
import { type AppendTarget, appendBatch, type SequencedRecord } from "./append-script.ts";

export interface DirectWriteOptions {
  redis: RedisClient;
  target: AppendTarget;
  writerId: string;
  metrics: AuditMetrics;
}

export interface DirectWriteResult {
  /** How many records, from the front of the batch, are in the stream. */
  written: number;
  failure?: { reason: WriteFailureReason; message: string };
}

/**
 * One round trip: the batch into the stream within `timeoutMs`. Never throws; reports how
 * far it got so the caller can refuse (fail-closed) or spool (buffered) the rest. A
 * disconnected client is not even tried: that is the fast path to a refusal while Redis
 * is down.
 */
export async function writeDirect(
  options: DirectWriteOptions,
  batch: readonly SequencedRecord[],
  timeoutMs: number,
): Promise<DirectWriteResult> {
  return attempt(options, batch, timeoutMs);
}

/**
 * Counts the records of a new batch that did not reach Redis. Replays do not count: their
 * records were counted when they were spooled and are safe meanwhile.
 */
export function countMissed(metrics: AuditMetrics, result: DirectWriteResult, batchLength: number): void {
  const missed = batchLength - result.written;
  if (result.failure && missed > 0) metrics.writeFailures.inc({ reason: result.failure.reason }, missed);
}

async function attempt(
  options: DirectWriteOptions,
  batch: readonly SequencedRecord[],
  timeoutMs: number,
): Promise<DirectWriteResult> {
  if (!isReady(options.redis)) {
    return { written: 0, failure: { reason: "unreachable", message: "not connected to Redis" } };
  }
  if (timeoutMs <= 0) return { written: 0, failure: { reason: "timeout", message: "no time left" } };
  options.metrics.batchSize.observe(batch.length);
  const records = batch.map(({ seq, record }) => ({ seq, record }));
  try {
    const result = await withTimeout(
      appendBatch(options.redis, options.target, options.writerId, records),
      timeoutMs,
    );
    if (result.error)
      return { written: result.done, failure: { reason: "redis-error", message: result.error } };
    return { written: result.done };
  } catch (err) {
    // A connection that dropped under the command is an outage, not a Redis error.
    const reason =
      err instanceof TimeoutError
        ? "timeout"
        : isConnectionError(err) || !isReady(options.redis)
          ? "unreachable"
          : "redis-error";
    return { written: 0, failure: { reason, message: (err as Error).message } };
  }
}
