import { parseEntries } from "../audit/index.ts";
import { LeasedStreamReader, type StreamEntry } from "../shared/leased-stream-reader.ts";
import type { Logger } from "../shared/logger.ts";
import type { RedisClient } from "../shared/redis.ts";
import type { AlertEvaluator } from "./alert-evaluator.ts";
import { EVALUATE_GROUP } from "./alert-log-keys.ts";

export interface EvaluationWorkerOptions {
  /** For the lease. */
  redis: RedisClient;
  /** Its own connection, for the blocking XREADGROUP and the acks; stop() closes it. */
  connection: RedisClient;
  /** The audit shard's stream. */
  log: string;
  leaseKey: string;
  /** The consumer name in the group, and the lease token. */
  holder: string;
  evaluator: AlertEvaluator;
  logger: Logger;
  batch?: number;
  blockMs?: number;
  leaseTtlMs?: number;
  /** Told of each batch's evaluation, for the metrics: records read and how long it took. */
  onBatch?(records: number, seconds: number): void;
}

/**
 * Evaluates the rules on every record of one audit shard, once: it reads the shard in the
 * consumer group `kb-alerts` (made, the first time, at the shard's end) under the shard's lease (so the shards of a sharded audit log
 * are spread over the replicas), and acknowledges a batch only once each of its alerts is in
 * the alert log. A replica that dies before that leaves the batch pending; the next holder
 * evaluates it again, and the store's claims keep that from firing anything twice.
 *
 * A batch is evaluated concurrently: each rule's state script is atomic in Redis, so two
 * records racing for one threshold still cross it once, and one round trip serves many.
 */
export class EvaluationWorker {
  readonly #options: EvaluationWorkerOptions;
  readonly #reader: LeasedStreamReader;

  constructor(options: EvaluationWorkerOptions) {
    this.#options = options;
    this.#reader = new LeasedStreamReader({
      redis: options.redis,
      connection: options.connection,
      stream: options.log,
      group: EVALUATE_GROUP,
      holder: options.holder,
      leaseKey: options.leaseKey,
      ...(options.leaseTtlMs ? { leaseTtlMs: options.leaseTtlMs } : {}),
      batch: options.batch ?? 200,
      ...(options.blockMs ? { blockMs: options.blockMs } : {}),
      logger: options.logger,
      what: "alert evaluation",
      // Alerts are about what happens from the first deploy on: months of history evaluated
      // at once would flood every channel with old news and act on it.
      startAt: "end",
      handle: (batch) => this.#evaluateAndAck(batch),
    });
  }

  start(): void {
    this.#reader.start();
  }

  async stop(): Promise<void> {
    await this.#reader.stop();
    this.#options.connection.disconnect();
  }

  async #evaluateAndAck(batch: StreamEntry[]): Promise<void> {
    const started = performance.now();
    // Alerts' own records are never evaluated: no rule may fire on an alert.
    const records = parseEntries(batch).filter(
      (entry) => !(entry.type === "lifecycle" && entry.event.startsWith("alert.")),
    );
    await Promise.all(records.map(({ streamId: _, ...record }) => this.#options.evaluator.evaluate(record)));
    const { connection, log } = this.#options;
    await connection.call("xack", log, EVALUATE_GROUP, ...batch.map(([id]) => id));
    this.#options.onBatch?.(batch.length, (performance.now() - started) / 1000);
  }
}
