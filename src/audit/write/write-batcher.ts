import type { AuditRecord } from "../record.ts";

/** Where a record was made safe: in the stream, or (buffered mode) in the local spool. */
export type SafeIn = "stream" | "spool";

/** One append waiting for its batch. Settled exactly once, by the flusher or its deadline. */
export interface PendingWrite {
  record: AuditRecord;
  /** This writer's sequence number for the record (see append-script.ts). */
  seq: number;
  enqueuedAt: number;
  settled: boolean;
  resolve(safeIn: SafeIn): void;
  reject(err: Error): void;
}

/** Writes one batch somewhere and settles every entry of it. */
export type FlushBatch = (batch: PendingWrite[]) => Promise<void>;

export interface WriteBatcherOptions {
  flush: FlushBatch;
  maxBatch: number;
  /** Refuse an append that waited this long in total (fail-closed); unset: never. */
  deadlineMs?: number;
  /** Called with the error when an entry's deadline passes before it was written. */
  onDeadline?: (entry: PendingWrite) => Error;
}

/**
 * Micro-batching: appends made while a batch is in flight wait and go together in the next
 * one, so a burst of concurrent appends shares a few round trips, and an append into an
 * idle writer leaves on the next microtask without waiting for company. One batch at a
 * time also keeps the stream in append order (which buffered mode's spool relies on).
 */
export class WriteBatcher {
  readonly #options: WriteBatcherOptions;
  #queue: PendingWrite[] = [];
  #running: Promise<void> | undefined;
  #nextSeq = 1;

  constructor(options: WriteBatcherOptions) {
    this.#options = options;
  }

  submit(record: AuditRecord): Promise<SafeIn> {
    return new Promise<SafeIn>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const entry: PendingWrite = {
        record,
        seq: this.#nextSeq++,
        enqueuedAt: performance.now(),
        settled: false,
        resolve: (safeIn) => {
          if (entry.settled) return;
          entry.settled = true;
          clearTimeout(timer);
          resolve(safeIn);
        },
        reject: (err) => {
          if (entry.settled) return;
          entry.settled = true;
          clearTimeout(timer);
          reject(err);
        },
      };
      const { deadlineMs, onDeadline } = this.#options;
      if (deadlineMs !== undefined && onDeadline) {
        timer = setTimeout(() => entry.reject(onDeadline(entry)), deadlineMs);
      }
      this.#queue.push(entry);
      this.#running ??= Promise.resolve().then(() => this.#drain());
    });
  }

  /** Resolves when everything submitted so far has been flushed. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        // Entries refused by their deadline are dropped here, before they are ever sent.
        const live = this.#queue.filter((entry) => !entry.settled);
        const batch = live.slice(0, this.#options.maxBatch);
        this.#queue = live.slice(batch.length);
        if (batch.length === 0) continue;
        try {
          await this.#options.flush(batch);
        } catch (err) {
          for (const entry of batch) entry.reject(err as Error);
        }
      }
    } finally {
      this.#running = undefined;
    }
  }
}
