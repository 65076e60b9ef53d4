import type { Logger } from "../../shared/logger.ts";
import type { WriteFailureReason } from "../audit-metrics.ts";

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
