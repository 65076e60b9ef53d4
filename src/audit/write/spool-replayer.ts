import type { Logger } from "../../shared/logger.ts";
import type { AuditMetrics } from "../audit-metrics.ts";
import { backoffMs } from "../connection.ts";
import { type DirectWriteOptions, writeDirect } from "./direct-write.ts";
import type { Serial } from "./serial.ts";
import type { Spool, SpoolLine } from "./spool.ts";

export interface SpoolReplayerOptions {
  spool: Spool;
  serial: Serial;
  direct: DirectWriteOptions;
  writeTimeoutMs: number;
  logger: Logger;
  metrics: AuditMetrics;
  /** Records per round trip while replaying. */
  chunk?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
}

type Step = "progress" | "failed" | "drained";

/**
 * Moves spooled records into the stream, oldest first, then empties the spool. Emptying
 * runs under the writer's Serial, so it happens only at a moment when every line is in
 * Redis and no batch is being appended; until then new batches go to the spool behind the
 * old ones instead of overtaking them.
 *
 * Each replayed record keeps the writer id and sequence number it was spooled with, and
 * the append script skips sequence numbers already in the stream: a crash anywhere in
 * here (mid-chunk, or after the last chunk but before the truncate) makes the next run
 * replay from the top without duplicating anything.
 */
export class SpoolReplayer {
  readonly #options: SpoolReplayerOptions;
  #running: Promise<void> | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(options: SpoolReplayerOptions) {
    this.#options = options;
  }

  /** Starts replaying if not already running. */
  kick(): void {
    if (this.#stopped) return;
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
  }

  /** Redis is back: cut a retry wait short. */
  wake(): void {
    this.#wake?.();
    this.kick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#running;
  }

  async #run(): Promise<void> {
    const { spool, serial, logger } = this.#options;
    let failures = 0;
    while (!this.#stopped && !spool.isEmpty) {
      let step: Step;
      try {
        // Only emptying the spool needs the Serial: replaying lines already in the file
        // cannot race appends, which only add lines after them while the spool is non-empty.
        step = spool.fullyReplayed
          ? await serial.run(() => this.#emptyIfReplayed())
          : await this.#replayChunk();
      } catch (err) {
        logger.error({ err }, "audit spool replay failed");
        step = "failed";
      }
      if (step === "drained") break;
      if (step === "progress") failures = 0;
      else await this.#pause(failures++);
    }
  }

  async #emptyIfReplayed(): Promise<Step> {
    const { spool } = this.#options;
    if (!spool.fullyReplayed) return "progress";
    await spool.truncate();
    reportSpool(this.#options.metrics, spool);
    this.#options.logger.info("audit spool replayed into Redis and emptied");
    return "drained";
  }

  async #replayChunk(): Promise<Step> {
    const { spool, logger } = this.#options;
    const { lines, corrupt } = await spool.peek(this.#options.chunk ?? 500);
    if (corrupt > 0) logger.error({ lines: corrupt }, "audit spool lines could not be read and were skipped");
    const group = sameWriterPrefix(lines.flatMap((entry) => (entry.line ? [entry.line] : [])));
    const records = group.map((line) => ({ seq: line.s, record: line.r }));
    const direct = { ...this.#options.direct, writerId: group[0]?.w ?? "" };
    const { written } =
      records.length > 0 ? await writeDirect(direct, records, this.#options.writeTimeoutMs) : { written: 0 };
    // Corrupt lines among or before the written records are passed over with them.
    const prefix = prefixCovering(lines, written);
    spool.markReplayed(prefix.count, prefix.bytes);
    reportSpool(this.#options.metrics, spool);
    return written === group.length ? "progress" : "failed";
  }

  async #pause(failures: number): Promise<void> {
    const delay = backoffMs(failures, {
      initialMs: this.#options.retryInitialMs ?? 100,
      maxMs: this.#options.retryMaxMs ?? 5000,
    });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
  }
}

export function reportSpool(metrics: AuditMetrics, spool: Spool): void {
  metrics.spoolRecords.set(spool.pendingRecords);
  metrics.spoolBytes.set(spool.bytes);
}

/** The leading lines that share one writer id: one script call covers one writer. */
function sameWriterPrefix(lines: SpoolLine[]): SpoolLine[] {
  const writer = lines[0]?.w;
  const end = lines.findIndex((line) => line.w !== writer);
  return end < 0 ? lines : lines.slice(0, end);
}

/** How many lines and bytes, from the front, hold the first `records` readable records. */
function prefixCovering(
  lines: { line: SpoolLine | undefined; bytes: number }[],
  records: number,
): { count: number; bytes: number } {
  let count = 0;
  let bytes = 0;
  let seen = 0;
  for (const entry of lines) {
    if (entry.line !== undefined) {
      if (seen === records) break;
      seen++;
    }
    count++;
    bytes += entry.bytes;
  }
  return { count, bytes };
}
