import type { ExportSink } from "../audit/index.ts";
import { LeasedStreamReader, type StreamEntry } from "../shared/leased-stream-reader.ts";
import type { Logger } from "../shared/logger.ts";
import type { RedisClient } from "../shared/redis.ts";
import type { RecordingStore } from "./recording-store.ts";

const GROUP = "kb-recording-export";

/** A sink that takes recordings. */
type RecordingSink = Pick<Required<ExportSink>, "deliverRecording">;
/** Finished recordings waiting for the sink are a queue, not a history: it is trimmed. */
const QUEUE_LENGTH = 100_000;

export interface RecordingExportKeys {
  /** The stream of finished recordings' ids. */
  finished: string;
  lease: string;
}

/**
 * Hands each finished recording to the audit export sink (file, stdout or webhook), at least
 * once: the recorder queues the id when the session ends, and one replica at a time (under a
 * lease) reads the queue through a consumer group, delivers the recording whole, and only then
 * acknowledges it; a replica that dies in between leaves it to the next holder.
 */
export class RecordingExporter {
  readonly #redis: RedisClient;
  readonly #connection: RedisClient;
  readonly #keys: RecordingExportKeys;
  readonly #store: RecordingStore;
  readonly #sink: RecordingSink;
  readonly #reader: LeasedStreamReader;

  constructor(options: {
    redis: RedisClient;
    /** A connection of its own for the blocking reads (dedicatedConnection). */
    connection: RedisClient;
    keys: RecordingExportKeys;
    store: RecordingStore;
    sink: RecordingSink;
    holder: string;
    logger: Logger;
    blockMs?: number;
  }) {
    this.#redis = options.redis;
    this.#connection = options.connection;
    this.#keys = options.keys;
    this.#store = options.store;
    this.#sink = options.sink;
    this.#reader = new LeasedStreamReader({
      redis: options.redis,
      connection: options.connection,
      stream: options.keys.finished,
      group: GROUP,
      holder: options.holder,
      leaseKey: options.keys.lease,
      batch: 10,
      ...(options.blockMs ? { blockMs: options.blockMs } : {}),
      logger: options.logger,
      what: "recording export",
      handle: (batch) => this.#deliverAndAck(batch),
    });
  }

  /** Queues a finished recording for the sink. */
  async finished(id: string): Promise<void> {
    await this.#redis.xadd(this.#keys.finished, "MAXLEN", "~", String(QUEUE_LENGTH), "*", "id", id);
  }

  start(): void {
    this.#reader.start();
  }

  async stop(): Promise<void> {
    await this.#reader.stop();
    this.#connection.disconnect();
  }

  async #deliverAndAck(batch: StreamEntry[]): Promise<void> {
    for (const [, fields] of batch) {
      const id = fields?.[fields.indexOf("id") + 1];
      // Gone past retention, or trimmed: nothing left to deliver.
      const recording = id ? await this.#store.get(id) : undefined;
      if (!recording) continue;
      const cast = (await this.#store.cast(recording.id)) ?? "";
      await this.#sink.deliverRecording({ recording: { ...recording }, cast }, this.#reader.stopping);
    }
    await this.#connection.call("xack", this.#keys.finished, GROUP, ...batch.map(([id]) => id));
  }
}
