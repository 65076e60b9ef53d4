import { LeasedStreamReader, LeaseLost } from "../../shared/leased-stream-reader.ts";
import type { Logger } from "../../shared/logger.ts";
import type { RedisClient } from "../../shared/redis.ts";
import { type AuditKeys, EXPORT_GROUP } from "../audit-keys.ts";
import type { AuditMetrics } from "../audit-metrics.ts";
import { backoffMs, sleep } from "../connection.ts";
import type { AuditEntry } from "../record-fields.ts";
import { parseEntries, type RawEntry } from "../stream-ids.ts";
import type { ExportSink } from "./export-sinks.ts";

export interface AuditExporterOptions {
  /** For the lease. */
  redis: RedisClient;
  /** Its own connection, for the blocking XREADGROUP and the acks (connection.ts). */
  connection: RedisClient;
  keys: AuditKeys;
  /** The shard this worker exports; each shard has its own group, lease and worker. */
  shard: number;
  sink: ExportSink;
  metrics: AuditMetrics;
  logger: Logger;
  /** This replica's consumer name in the group, and its lease token. */
  holder: string;
  leaseTtlMs?: number;
  batch?: number;
  blockMs?: number;
  retry?: { initialMs: number; maxMs: number };
}

/** How long a stop waits for a delivery in flight before cancelling it (then it is sent again later). */
const DELIVERY_GRACE_MS = 5000;

/**
 * Delivers one shard's audit stream to a sink, at least once and in order, through the
 * stream's consumer group `kb-export`, read by a LeasedStreamReader: one replica exports a
 * shard at a time, under that shard's lease, and whatever an earlier holder read but never
 * acknowledged (it may have died between delivering and acking) is delivered again. Each
 * shard has its own worker, group and lease, so a shard's position survives restarts on its
 * own; the sink sees each shard in order, and the shards interleaved. An entry is
 * acknowledged only after the sink took it; a batch that fails is retried with backoff,
 * never skipped, and nothing after it moves meanwhile. A holder that cannot renew its lease
 * stops before delivering more, so two workers overlap by a batch at most (a duplicate,
 * never a loss).
 */

export class AuditExporter {
  readonly #options: AuditExporterOptions;
  readonly #log: string;
  readonly #reader: LeasedStreamReader;
  /** Cancels a delivery in flight: only when it outlasts the stop's grace. */
  readonly #cancelDelivery = new AbortController();

  constructor(options: AuditExporterOptions) {
    this.#options = options;
    this.#log = options.keys.shards[options.shard]!.log;
    this.#reader = new LeasedStreamReader({
      redis: options.redis,
      connection: options.connection,
      stream: this.#log,
      group: EXPORT_GROUP,
      holder: options.holder,
      leaseKey: options.keys.exportLease(options.shard),
      ...(options.leaseTtlMs ? { leaseTtlMs: options.leaseTtlMs } : {}),
      batch: options.batch ?? 100,
      ...(options.blockMs ? { blockMs: options.blockMs } : {}),
      logger: options.logger,
      what: "audit export",
      handle: (batch) => this.#deliverAndAck(batch),
    });
  }

  start(): void {
    this.#reader.start();
  }

  /**
   * Stops after the current step: a batch being delivered is delivered and acknowledged
   * first (so it is not delivered twice), unless the sink outlasts the grace; a blocking
   * read is cut at once. The sink is shared by the shards' workers: whoever made it closes it.
   */
  async stop(): Promise<void> {
    const grace = setTimeout(() => this.#cancelDelivery.abort(), DELIVERY_GRACE_MS);
    await this.#reader.stop();
    clearTimeout(grace);
  }

  async #deliverAndAck(raw: RawEntry[]): Promise<void> {
    const { connection, logger } = this.#options;
    const entries = parseEntries(raw);
    const trimmed = raw.length - entries.length;
    if (trimmed > 0) {
      // Retention removed them before they were exported: nothing left to deliver.
      logger.error({ entries: trimmed }, "audit export: entries were trimmed before they could be delivered");
    }
    if (entries.length > 0) await this.#deliver(entries);
    await connection.call("xack", this.#log, EXPORT_GROUP, ...raw.map(([id]) => id));
  }

  async #deliver(entries: AuditEntry[]): Promise<void> {
    const { sink, metrics, logger } = this.#options;
    const signal = this.#reader.stopping;
    const retry = this.#options.retry ?? { initialMs: 500, maxMs: 30_000 };
    for (let failures = 0; ; failures++) {
      if (signal.aborted || !(await this.#reader.holdLease())) throw new LeaseLost();
      try {
        await sink.deliver(entries, this.#cancelDelivery.signal);
        metrics.exportDelivered.inc({ sink: sink.kind }, entries.length);
        if (failures > 0)
          logger.info({ sink: sink.kind, attempts: failures + 1 }, "audit export delivered again");
        return;
      } catch (err) {
        metrics.exportFailures.inc({ sink: sink.kind });
        if (failures === 0)
          logger.warn({ sink: sink.kind, err: (err as Error).message }, "audit export failed; retrying");
        await sleep(backoffMs(failures, retry), signal);
      }
    }
  }
}
