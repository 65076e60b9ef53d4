import type { RedisClient } from "../../shared/redis.ts";
import { isConnectionError } from "../../shared/redis.ts";
import type { ShardKeys } from "../audit-keys.ts";
import type { AuditMetrics, WriteFailureReason } from "../audit-metrics.ts";
import { isReady, TimeoutError, withTimeout } from "../connection.ts";
import type { AuditRecord } from "../record.ts";
import { type AppendResult, type AppendTarget, appendBatch, type SequencedRecord } from "./append-script.ts";
import type { RedisClock } from "./redis-clock.ts";
import { waitForReplicas } from "./replica-wait.ts";

export interface DirectWriteOptions {
  redis: RedisClient;
  /** The shards' keys, and which shard a record goes to (audit-keys.ts). */
  shards: readonly ShardKeys[];
  shardOf(record: AuditRecord): number;
  target: AppendTarget;
  writerId: string;
  metrics: AuditMetrics;
  clock: RedisClock;
  /**
   * Records whose append ran in Redis before the deadline but whose answer came after the
   * writer gave up on it (Redis stalled between running the script and replying).
   */
  onLateLanding?(records: SequencedRecord[]): void;
}

type Failure = { reason: WriteFailureReason; message: string };

export interface DirectWriteResult {
  /** How many records, from the front of the batch, are in the stream. */
  written: number;
  /** Per record of the batch: in the stream (shards fail apart, so not only a prefix). */
  landed: boolean[];
  failure?: Failure;
}

const LATE = "Redis ran the write after its deadline and appended nothing";
const UNREPLICATED = "no replica confirmed the write in time (audit.replicas)";

/**
 * One round trip per shard the batch touches: the batch into the streams within
 * `timeoutMs`. Never throws; reports how far it got so the caller can refuse (fail-closed)
 * or spool (buffered) the rest. A disconnected client is not even tried: that is the fast
 * path to a refusal while Redis is down. The script is told the moment this call gives
 * up, in the server's clock, and appends nothing after it: a write given up on here never
 * lands later.
 */
export async function writeDirect(
  options: DirectWriteOptions,
  batch: readonly SequencedRecord[],
  timeoutMs: number,
): Promise<DirectWriteResult> {
  const none = (failure: Failure) => ({ written: 0, landed: batch.map(() => false), failure });
  if (!isReady(options.redis)) return none({ reason: "unreachable", message: "not connected to Redis" });
  if (timeoutMs <= 0) return none({ reason: "timeout", message: "no time left" });
  const giveUpAt = performance.now() + timeoutMs;
  const groups = new Map<number, number[]>();
  batch.forEach(({ record }, index) => {
    const shard = options.shardOf(record);
    const group = groups.get(shard);
    if (group) group.push(index);
    else groups.set(shard, [index]);
  });
  const landed = batch.map(() => false);
  let failure: Failure | undefined;
  await Promise.all(
    [...groups].map(async ([shard, indexes]) => {
      const records = indexes.map((i) => batch[i]!);
      const result = await writeShard(options, options.shards[shard]!, records, giveUpAt);
      for (let i = 0; i < result.done; i++) landed[indexes[i]!] = true;
      failure ??= result.failure;
    }),
  );
  const firstMissing = landed.indexOf(false);
  return { written: firstMissing < 0 ? batch.length : firstMissing, landed, ...(failure ? { failure } : {}) };
}

/**
 * Counts the records of a new batch that did not reach Redis. Replays do not count: their
 * records were counted when they were spooled and are safe meanwhile.
 */
export function countMissed(metrics: AuditMetrics, result: DirectWriteResult, batchLength: number): void {
  const missed = result.landed.filter((landed) => !landed).length;
  if (result.failure && missed > 0 && batchLength > 0)
    metrics.writeFailures.inc({ reason: result.failure.reason }, missed);
}

async function writeShard(
  options: DirectWriteOptions,
  keys: ShardKeys,
  records: SequencedRecord[],
  giveUpAt: number,
): Promise<{ done: number; failure?: Failure }> {
  const { redis, clock } = options;
  options.metrics.batchSize.observe(records.length);
  const write = (async (): Promise<AppendResult & { unreplicated?: boolean }> => {
    if (clock.serverTime(keys.log, giveUpAt) === undefined) await clock.calibrate(redis, keys.log);
    const notAfter = clock.serverTime(keys.log, giveUpAt)!;
    const sentAt = performance.now();
    const result = await appendBatch(redis, keys, options.target, options.writerId, records, notAfter);
    clock.sample(keys.log, sentAt, performance.now(), result.serverMs);
    // Only the replicas that are there: one that is down must not stop every write.
    const want = Math.min(options.target.replicas, result.replicas);
    if (want === 0 || result.late || !result.ids.some(Boolean)) return result;
    const held = await waitForReplicas(redis, keys.log, want, giveUpAt - performance.now());
    return held < want ? { ...result, unreplicated: true } : result;
  })();
  try {
    const result = await withTimeout(write, giveUpAt - performance.now());
    if (result.late) return { done: 0, failure: { reason: "timeout", message: LATE } };
    if (result.unreplicated) {
      // On the master only: a failover now would lose them. Counted as not written (spooled,
      // or refused); what did land is reported like a late landing, so it is not left
      // claiming a request went through.
      reportLanded(options, result, records);
      return { done: 0, failure: { reason: "unreplicated", message: UNREPLICATED } };
    }
    if (result.error) return { done: result.done, failure: { reason: "redis-error", message: result.error } };
    return { done: result.done };
  } catch (err) {
    if (err instanceof TimeoutError) watchLateAnswer(options, write, records);
    // A connection that dropped under the command is an outage, not a Redis error.
    const reason =
      err instanceof TimeoutError
        ? "timeout"
        : isConnectionError(err) || !isReady(redis)
          ? "unreachable"
          : "redis-error";
    if (reason === "unreachable") clock.forget(keys.log);
    return { done: 0, failure: { reason, message: (err as Error).message } };
  }
}

/** A write given up on may still answer: if it did append (just in time), say so. */
function watchLateAnswer(
  options: DirectWriteOptions,
  write: Promise<AppendResult>,
  records: SequencedRecord[],
): void {
  write.then(
    (result) => {
      if (!result.late) reportLanded(options, result, records);
    },
    () => {},
  );
}

/** The records this append put in the stream (not those already there), to onLateLanding. */
function reportLanded(options: DirectWriteOptions, result: AppendResult, records: SequencedRecord[]): void {
  const appended = records.slice(0, result.done).filter((_, i) => result.ids[i]);
  if (appended.length > 0) options.onLateLanding?.(appended);
}
