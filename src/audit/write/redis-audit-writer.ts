import type { AuditConfig } from "../../config/schema.ts";
import { randomId } from "../../shared/ids.ts";
import type { Logger } from "../../shared/logger.ts";
import type { RedisClient } from "../../shared/redis.ts";
import type { AuditKeys } from "../audit-keys.ts";
import type { AuditMetrics } from "../audit-metrics.ts";
import type { AuditRecord } from "../record.ts";
import { pickRecord } from "../record-fields.ts";
import type { AuditWriter } from "./audit-writer.ts";
import { BufferedMode, type BufferedModeOptions } from "./buffered-mode.ts";
import type { DirectWriteOptions } from "./direct-write.ts";
import { FailClosedMode } from "./fail-closed-mode.ts";
import { OutageLog } from "./outage-log.ts";
import { Spool } from "./spool.ts";
import { WriteBatcher } from "./write-batcher.ts";
import { auditUnavailable, type WriteMode } from "./write-mode.ts";

export interface RedisAuditWriterOptions {
  /** A connection that fails instead of queueing while Redis is away (connection.ts). */
  redis: RedisClient;
  keys: AuditKeys;
  config: Pick<AuditConfig, "mode" | "retention" | "spool" | "writeTimeout">;
  metrics: AuditMetrics;
  logger: Logger;
  replay?: BufferedModeOptions["replay"];
}

/** Records per round trip at most. */
const MAX_BATCH = 256;

/** The audit writer over a Redis stream, fail-closed or buffered as configured. */
export class RedisAuditWriter implements AuditWriter {
  readonly writerId: string;
  readonly #mode: WriteMode;
  readonly #batcher: WriteBatcher;
  readonly #metrics: AuditMetrics;
  #state: "new" | "started" | "stopped" = "new";

  constructor(options: RedisAuditWriterOptions) {
    const { config, metrics, logger } = options;
    this.writerId = randomId();
    this.#metrics = metrics;
    const direct: DirectWriteOptions = {
      redis: options.redis,
      writerId: this.writerId,
      metrics,
      target: {
        keys: options.keys,
        maxLength: config.retention.maxLength,
        markTtlMs: config.retention.maxAge * 1000,
      },
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
    await this.#mode.start();
    this.#state = "started";
  }

  /** Waits for appends in flight, then stops replaying; the spool stays for the next run. */
  async stop(): Promise<void> {
    if (this.#state === "stopped") return;
    const wasStarted = this.#state === "started";
    this.#state = "stopped";
    await this.#batcher.idle();
    if (wasStarted) await this.#mode.stop();
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
