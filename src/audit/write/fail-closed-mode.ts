import { countMissed, type DirectWriteOptions, writeDirect } from "./direct-write.ts";
import type { OutageLog } from "./outage-log.ts";
import type { PendingWrite } from "./write-batcher.ts";
import { auditUnavailable, type WriteMode } from "./write-mode.ts";

/**
 * fail-closed: an append resolves only once Redis acknowledged the record, within
 * writeTimeout of the append call; otherwise it is refused and the gateway does not
 * forward the request. Nothing is kept locally, so a refused record is never written
 * later either (see connection.ts for the half that ioredis would otherwise resend).
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
    // The batch is in append order: the first entry has the least time left.
    const left = this.deadlineMs - (performance.now() - batch[0]!.enqueuedAt);
    const result = await writeDirect(this.#direct, batch, left);
    countMissed(this.#direct.metrics, result, batch.length);
    const { written, failure } = result;
    for (const entry of batch.slice(0, written)) entry.resolve("stream");
    if (!failure) return this.#outage.succeeded();
    this.#outage.failed(failure.reason, failure.message);
    const refusal = auditUnavailable(undefined, new Error(failure.message));
    for (const entry of batch.slice(written)) entry.reject(refusal);
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
