import type { Logger } from "../../shared/logger.ts";
import type { AuditMetrics } from "../audit-metrics.ts";
import { countMissed, type DirectWriteOptions, writeDirect } from "./direct-write.ts";
import type { OutageLog } from "./outage-log.ts";
import { Serial } from "./serial.ts";
import type { Spool } from "./spool.ts";
import { reportSpool, SpoolReplayer } from "./spool-replayer.ts";
import type { PendingWrite } from "./write-batcher.ts";
import { auditUnavailable, SPOOL_FULL, type WriteMode } from "./write-mode.ts";

export interface BufferedModeOptions {
  direct: DirectWriteOptions;
  spool: Spool;
  writeTimeoutMs: number;
  outage: OutageLog;
  logger: Logger;
  metrics: AuditMetrics;
  replay?: { chunk?: number; retryInitialMs?: number; retryMaxMs?: number };
}

/**
 * buffered: a record goes to Redis if it can, else to the local spool; the request is
 * forwarded either way. Order is kept by one rule: while the spool holds anything, new
 * records go to the spool behind it, and only the replayer moves them to Redis, oldest
 * first. Deciding and writing happen under the same Serial as the replayer's steps.
 */
export class BufferedMode implements WriteMode {
  readonly deadlineMs = undefined;
  readonly #options: BufferedModeOptions;
  readonly #serial = new Serial();
  readonly #replayer: SpoolReplayer;
  readonly #wake = () => this.#replayer.wake();

  constructor(options: BufferedModeOptions) {
    this.#options = options;
    this.#replayer = new SpoolReplayer({
      spool: options.spool,
      serial: this.#serial,
      direct: options.direct,
      writeTimeoutMs: options.writeTimeoutMs,
      logger: options.logger,
      metrics: options.metrics,
      ...options.replay,
    });
  }

  async start(): Promise<void> {
    await this.#options.spool.open();
    this.#updateGauges();
    this.#options.direct.redis.on("ready", this.#wake);
    if (!this.#options.spool.isEmpty) {
      this.#options.logger.warn(
        { records: this.#options.spool.pendingRecords, bytes: this.#options.spool.bytes },
        "audit spool holds records from an earlier run; replaying them",
      );
      this.#replayer.kick();
    }
  }

  async stop(): Promise<void> {
    this.#options.direct.redis.off("ready", this.#wake);
    await this.#replayer.stop();
    await this.#serial.run(() => this.#options.spool.close());
  }

  async flush(batch: PendingWrite[]): Promise<void> {
    await this.#serial.run(async () => {
      let rest = batch;
      if (this.#options.spool.isEmpty) {
        const result = await writeDirect(this.#options.direct, batch, this.#options.writeTimeoutMs);
        countMissed(this.#options.metrics, result, batch.length);
        const { written, failure } = result;
        for (const entry of batch.slice(0, written)) entry.resolve("stream");
        if (!failure) return this.#options.outage.succeeded();
        this.#options.outage.failed(failure.reason, failure.message);
        // Everything from the first record not in the stream is spooled, in order. A
        // record past it may have landed (another shard), or may land if Redis ran the
        // script just before its deadline but answered late: the replay skips those
        // (same writer, same sequence numbers), so each lands exactly once.
        rest = batch.slice(written);
      }
      await this.#toSpool(rest);
    });
    if (!this.#options.spool.isEmpty) this.#replayer.kick();
  }

  async #toSpool(entries: PendingWrite[]): Promise<void> {
    const { spool, direct, metrics } = this.#options;
    let taken: number;
    try {
      taken = await spool.append(entries.map((e) => ({ w: direct.writerId, s: e.seq, r: e.record })));
    } catch (err) {
      metrics.writeFailures.inc({ reason: "spool-error" }, entries.length);
      this.#options.logger.error({ err }, "could not write the audit spool");
      const refusal = auditUnavailable(undefined, err);
      for (const entry of entries) entry.reject(refusal);
      return;
    }
    for (const entry of entries.slice(0, taken)) entry.resolve("spool");
    if (taken < entries.length) {
      metrics.writeFailures.inc({ reason: "spool-full" }, entries.length - taken);
      const refusal = auditUnavailable(SPOOL_FULL);
      for (const entry of entries.slice(taken)) entry.reject(refusal);
    }
    this.#updateGauges();
  }

  #updateGauges(): void {
    reportSpool(this.#options.metrics, this.#options.spool);
  }
}
