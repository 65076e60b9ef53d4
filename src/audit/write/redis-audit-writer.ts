import type { AuditConfig } from "../../config/schema.ts";
import { randomId } from "../../shared/ids.ts";
import type { Logger } from "../../shared/logger.ts";
import type { RedisClient } from "../../shared/redis.ts";
import { type AuditKeys, shardOf } from "../audit-keys.ts";
import type { AuditMetrics } from "../audit-metrics.ts";
import type { AuditRecord, RequestAuditRecord } from "../record.ts";
import { pickRecord } from "../record-fields.ts";
import type { AuditWriter } from "./audit-writer.ts";
import { BufferedMode, type BufferedModeOptions } from "./buffered-mode.ts";
import type { DirectWriteOptions } from "./direct-write.ts";
import { FailClosedMode } from "./fail-closed-mode.ts";
import { OutageLog } from "./outage-log.ts";
import { RedisClock } from "./redis-clock.ts";
import { Spool } from "./spool.ts";
import { WriteBatcher } from "./write-batcher.ts";
import { auditUnavailable, type WriteMode } from "./write-mode.ts";

export interface RedisAuditWriterOptions {
  /** A connection that fails instead of queueing while Redis is away (connection.ts). */
  redis: RedisClient;
  keys: AuditKeys;
  config: Pick<AuditConfig, "mode" | "retention" | "spool" | "writeTimeout" | "replicas">;
  metrics: AuditMetrics;
  logger: Logger;
  replay?: BufferedModeOptions["replay"];
}

/** The end of a request whose start landed after the writer had refused it. */
function refusedEnd(start: RequestAuditRecord): RequestAuditRecord {
  return {
    ...start,
    phase: "end",
    status: "503",
    decision: "error",
    durationMs: "0",
    bytesIn: "0",
    bytesOut: "0",
    detail: "not forwarded: the audit write timed out",
  };
}

/** Records per round trip at most. */
const MAX_BATCH = 256;

/** The audit writer over a Redis stream, fail-closed or buffered as configured. */
export class RedisAuditWriter implements AuditWriter {
  readonly writerId: string;
  readonly #mode: WriteMode;
  readonly #batcher: WriteBatcher;
  readonly #metrics: AuditMetrics;
  readonly #logger: Logger;
  readonly #redis: RedisClient;
  readonly #keys: AuditKeys;
  readonly #clock = new RedisClock();
  readonly #recalibrate = () => {
    this.#clock.forget();
    void this.#calibrate();
  };
  #state: "new" | "started" | "stopped" = "new";

  constructor(options: RedisAuditWriterOptions) {
    const { config, metrics, logger } = options;
    this.writerId = randomId();
    this.#metrics = metrics;
    this.#logger = logger;
    this.#redis = options.redis;
    this.#keys = options.keys;
    const shardCount = options.keys.shards.length;
    const direct: DirectWriteOptions = {
      redis: options.redis,
      shards: options.keys.shards,
      shardOf: (record) => shardOf(record, shardCount),
      writerId: this.writerId,
      metrics,
      clock: this.#clock,
      target: {
        maxLength: config.retention.maxLength,
        markTtlMs: config.retention.maxAge * 1000,
        replicas: config.replicas,
      },
      // Buffered mode spooled those records, and the replay skips what landed.
      ...(config.mode === "fail-closed" ? { onLateLanding: (landed) => this.#landedLate(landed) } : {}),
    };
    const writeTimeoutMs = config.writeTimeout * 1000;
    const outage = new OutageLog({ logger, what: `audit writer (${config.mode})` });
    this.#mode =
      config.mode === "buffered"
        ? new BufferedMode({
            direct,
            writeTimeoutMs,
            outage,
            logger,
            metrics,
            spool: new Spool({ path: config.spool.path, maxBytes: config.spool.maxBytes }),
            ...(options.replay ? { replay: options.replay } : {}),
          })
        : new FailClosedMode({ direct, writeTimeoutMs, outage });
    const deadlineMs = this.#mode.deadlineMs;
    this.#batcher = new WriteBatcher({
      flush: (batch) => this.#mode.flush(batch),
      maxBatch: MAX_BATCH,
      ...(deadlineMs === undefined
        ? {}
        : {
            deadlineMs,
            onDeadline: () => {
              metrics.writeFailures.inc({ reason: "timeout" });
              return auditUnavailable();
            },
          }),
    });
  }

  async start(): Promise<void> {
    if (this.#state !== "new") return;
    this.#redis.on("ready", this.#recalibrate);
    await this.#calibrate();
    await this.#mode.start();
    this.#state = "started";
  }

  /** Waits for appends in flight, then stops replaying; the spool stays for the next run. */
  async stop(): Promise<void> {
    if (this.#state === "stopped") return;
    const wasStarted = this.#state === "started";
    this.#state = "stopped";
    await this.#batcher.idle();
    this.#redis.off("ready", this.#recalibrate);
    if (wasStarted) await this.#mode.stop();
  }

  /**
   * Estimates each shard's server clock when the connection becomes ready. Best effort:
   * a write without an estimate calibrates first (and fails like any write if Redis does
   * not answer).
   */
  async #calibrate(): Promise<void> {
    if (this.#redis.status !== "ready") return;
    await Promise.all(
      this.#keys.shards.map((shard) => this.#clock.calibrate(this.#redis, shard.log).catch(() => {})),
    );
  }

  /**
   * fail-closed refused these records, yet Redis appended them: it ran the script in time
   * but its answer came after the deadline. The stream must still say what happened: a
   * request's `start` is followed by an `end` that says it was refused; the other
   * records (ends, lifecycle events) are true as they stand, and the log says they were
   * not lost after all.
   */
  #landedLate(records: { record: AuditRecord }[]): void {
    this.#logger.warn(
      { ids: records.map(({ record }) => record.id) },
      "audit records landed after all: Redis appended them in time but answered after writeTimeout",
    );
    for (const { record } of records) {
      if (record.type !== "request" || record.phase !== "start") continue;
      this.append(refusedEnd(record)).catch((err: unknown) =>
        this.#logger.error({ err: String(err), id: record.id }, "audit refusal record lost"),
      );
    }
  }

  async append(record: AuditRecord): Promise<void> {
    if (this.#state !== "started")
      throw auditUnavailable("the audit writer is not running: the request was not forwarded");
    // A copy of just the known fields: checked here so one bad record cannot fail a whole
    // batch, and copied so a caller reusing the object (start, then end) cannot change it.
    const copy = pickRecord(record);
    const started = performance.now();
    try {
      const safeIn = await this.#batcher.submit(copy);
      const outcome = safeIn === "stream" ? "written" : "spooled";
      this.#metrics.writeSeconds.observe({ outcome }, (performance.now() - started) / 1000);
    } catch (err) {
      this.#metrics.writeSeconds.observe({ outcome: "refused" }, (performance.now() - started) / 1000);
      throw err;
    }
  }
}
