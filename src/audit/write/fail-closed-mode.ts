import { countMissed, type DirectWriteOptions, writeDirect } from "./direct-write.ts";
import type { OutageLog } from "./outage-log.ts";
import type { PendingWrite } from "./write-batcher.ts";
import { auditUnavailable, type WriteMode } from "./write-mode.ts";

/**
 * fail-closed: an append resolves only once Redis acknowledged the record, within
 * writeTimeout of the append call; otherwise it is refused and the gateway does not
 * forward the request. Nothing is kept locally, and a refused record is never written
 * later either: ioredis does not resend it after a reconnect (connection.ts), and a
 * command stuck in a stalled Redis appends nothing once its deadline, the moment of the
 * refusal, has passed (append-script.ts).
 */
export class FailClosedMode implements WriteMode {
  readonly deadlineMs: number;
  readonly #direct: DirectWriteOptions;
  readonly #outage: OutageLog;

  constructor(options: { direct: DirectWriteOptions; writeTimeoutMs: number; outage: OutageLog }) {
    this.#direct = options.direct;
    this.deadlineMs = options.writeTimeoutMs;
    this.#outage = options.outage;
  }

  async flush(batch: PendingWrite[]): Promise<void> {
    // The batch is in append order: the first entry has the least time left, and the
    // batcher refuses it when that runs out, so the whole batch is given up then.
    const left = this.deadlineMs - (performance.now() - batch[0]!.enqueuedAt);
    const result = await writeDirect(this.#direct, batch, left);
    countMissed(this.#direct.metrics, result, batch.length);
    const { landed, failure } = result;
    // Shards fail apart: whatever landed is acknowledged, even past a failed record.
    batch.forEach((entry, i) => {
      if (landed[i]) entry.resolve("stream");
    });
    if (!failure) return this.#outage.succeeded();
    this.#outage.failed(failure.reason, failure.message);
    const refusal = auditUnavailable(undefined, new Error(failure.message));
    batch.forEach((entry, i) => {
      if (!landed[i]) entry.reject(refusal);
    });
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
