import { Unavailable } from "../../shared/errors.ts";
import type { Logger } from "../../shared/logger.ts";
import type { WriteFailureReason } from "../audit-metrics.ts";
import type { PendingWrite } from "./write-batcher.ts";

/** How a writer makes a batch safe: fail-closed (Redis or refuse) or buffered (Redis or spool). */
export interface WriteMode {
  flush(batch: PendingWrite[]): Promise<void>;
  /** Refuse appends that waited this long (fail-closed); unset: the mode bounds its own time. */
  readonly deadlineMs: number | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const NOT_FORWARDED = "audit log unavailable: the request was not forwarded";
export const SPOOL_FULL =
  "audit log unavailable and the local audit spool is full: the request was not forwarded";

/** The refusal the gateway turns into a 503 Status; clients may retry shortly. */
export function auditUnavailable(message: string = NOT_FORWARDED, cause?: unknown): Unavailable {
  return new Unavailable(message, { details: { retryAfterSeconds: 1 }, cause });
}

/**
 * Logs an outage once when it starts and once when it ends, not once per record: during
 * an outage every request fails the same way.
 */
export class OutageLog {
  readonly #logger: Logger;
  readonly #what: string;
  #down = false;

  constructor(options: { logger: Logger; what: string }) {
    this.#logger = options.logger;
    this.#what = options.what;
  }

  failed(reason: WriteFailureReason, message: string): void {
    if (this.#down) return;
    this.#down = true;
    this.#logger.warn({ reason, error: message }, `${this.#what}: Redis write failed`);
  }

  succeeded(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#logger.info(`${this.#what}: Redis writes succeed again`);
  }
}
