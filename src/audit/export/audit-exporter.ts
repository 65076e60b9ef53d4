import { Lease } from "../../shared/lease.ts";
import type { Logger } from "../../shared/logger.ts";
import { ensureConsumerGroup, type RedisClient } from "../../shared/redis.ts";
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

class LeaseLost extends Error {}

/**
 * Delivers one shard's audit stream to a sink, at least once and in order, through the
 * stream's consumer group `kb-export` (created at the stream's beginning, so what was
 * already retained is exported too). Each shard has its own worker, group and lease, so a
 * shard's position survives restarts on its own; the sink sees each shard in order, and
 * the shards interleaved. An entry is acknowledged only after the sink took it; a batch that fails
 * is retried with backoff, never skipped, and nothing after it moves meanwhile.
 *
 * One replica exports a shard at a time, under that shard's lease. On taking the lease the worker claims the
 * entries that any earlier holder had read but not acknowledged (it may have died between
 * delivering and acking), delivers its pending list from the start, then new entries. A
 * holder that cannot renew its lease stops before delivering more, so two workers overlap
 * only by a batch at most (a duplicate, never a loss).
 */
/** How long a stop waits for a delivery in flight before cancelling it (then it is sent again later). */
const DELIVERY_GRACE_MS = 5000;

export class AuditExporter {
  readonly #options: AuditExporterOptions;
  readonly #lease: Lease;
  readonly #log: string;
  readonly #ttlMs: number;
  readonly #stopping = new AbortController();
  /** Cancels a delivery in flight: only when it outlasts the stop's grace. */
  readonly #cancelDelivery = new AbortController();
  #loop: Promise<void> | undefined;
  #renewedAt = Number.NEGATIVE_INFINITY;
  /** Waiting in XREADGROUP BLOCK, which stop() cuts by closing the connection. */
  #blocked = false;

  constructor(options: AuditExporterOptions) {
    this.#options = options;
    this.#ttlMs = options.leaseTtlMs ?? 30_000;
    this.#log = options.keys.shards[options.shard]!.log;
    this.#lease = new Lease({
      redis: options.redis,
      key: options.keys.exportLease(options.shard),
      ttlMs: this.#ttlMs,
      holder: options.holder,
    });
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * Stops after the current step: a batch being delivered is delivered and acknowledged
   * first (so it is not delivered twice), a blocking read is cut at once. The sink is shared
   * by the shards' workers: whoever made it closes it.
   */
  async stop(): Promise<void> {
    this.#stopping.abort();
    if (this.#blocked) this.#options.connection.disconnect();
    const grace = setTimeout(() => this.#cancelDelivery.abort(), DELIVERY_GRACE_MS);
    await this.#loop;
    clearTimeout(grace);
    await this.#lease.release().catch(() => {});
  }

  async #run(): Promise<void> {
    const signal = this.#stopping.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (await this.#holdLease()) {
          await this.#exportWhileHolding();
          failures = 0;
        } else {
          await sleep(this.#ttlMs / 3, signal);
        }
      } catch (err) {
        if (signal.aborted) break;
        if (!(err instanceof LeaseLost)) {
          this.#options.logger.warn({ err: (err as Error).message }, "audit export paused: Redis failed");
        }
        await sleep(backoffMs(failures++, { initialMs: 200, maxMs: 10_000 }), signal);
      }
    }
  }

  async #exportWhileHolding(): Promise<void> {
    const { connection, holder } = this.#options;
    await this.#ensureGroup();
    await this.#claimOrphans();
    // First what this consumer holds unacknowledged (after a restart or a claim), then new.
    let pendingFrom: string | undefined = "0-0";
    while (!this.#stopping.signal.aborted) {
      if (!(await this.#holdLease())) throw new LeaseLost();
      const batch = String(this.#options.batch ?? 100);
      const args = pendingFrom
        ? ["COUNT", batch, "STREAMS", this.#log, pendingFrom]
        : ["COUNT", batch, "BLOCK", String(this.#options.blockMs ?? 2000), "STREAMS", this.#log, ">"];
      this.#blocked = !pendingFrom;
      const reply = (await connection
        .call("xreadgroup", "GROUP", EXPORT_GROUP, holder, ...args)
        .finally(() => {
          this.#blocked = false;
        })) as [string, RawEntry[]][] | null;
      const raw = reply?.[0]?.[1] ?? [];
      if (pendingFrom) {
        if (raw.length === 0) pendingFrom = undefined;
        else pendingFrom = raw.at(-1)![0];
      }
      if (raw.length > 0) await this.#deliverAndAck(raw);
    }
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
    const signal = this.#stopping.signal;
    const retry = this.#options.retry ?? { initialMs: 500, maxMs: 30_000 };
    for (let failures = 0; ; failures++) {
      if (signal.aborted || !(await this.#holdLease())) throw new LeaseLost();
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

  /** Renews the lease when a third of its life has passed; false once it is not ours. */
  async #holdLease(): Promise<boolean> {
    // Real time, not the clock: the lease's TTL runs in Redis, whatever the clock says.
    if (performance.now() - this.#renewedAt < this.#ttlMs / 3) return true;
    const held = await this.#lease.acquire().catch(() => false);
    this.#renewedAt = held ? performance.now() : Number.NEGATIVE_INFINITY;
    return held;
  }

  async #ensureGroup(): Promise<void> {
    await ensureConsumerGroup(this.#options.connection, this.#log, EXPORT_GROUP);
  }

  /** Takes over what other consumers (earlier holders) read but never acknowledged. */
  async #claimOrphans(): Promise<void> {
    const { connection, holder } = this.#options;
    let cursor = "0-0";
    do {
      const reply = (await connection.call(
        "xautoclaim",
        this.#log,
        EXPORT_GROUP,
        holder,
        0,
        cursor,
        "COUNT",
        1000,
        "JUSTID",
      )) as [string, string[]];
      cursor = reply[0];
    } while (cursor !== "0-0");
    const consumers = (await connection.call("xinfo", "CONSUMERS", this.#log, EXPORT_GROUP)) as unknown[][];
    for (const fields of consumers) {
      const info = Object.fromEntries(
        Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i], fields[2 * i + 1]]),
      );
      if (info.name !== holder && Number(info.pending) === 0) {
        await connection.call("xgroup", "DELCONSUMER", this.#log, EXPORT_GROUP, String(info.name));
      }
    }
  }
}
