import type { Lease } from "../shared/lease.ts";
import type { Logger } from "../shared/logger.ts";
import type { RequestService } from "./request-service.ts";

const INTERVAL_MS = 1000;

/**
 * Expires pending requests at their own TTL (separate from the grant's duration), so that
 * approvers are notified and the request can no longer be approved. One replica at a time,
 * under a lease; requests read in between are also expired on access.
 */
export class RequestExpiry {
  readonly #requests: RequestService;
  readonly #lease: Lease;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #pass: Promise<void> = Promise.resolve();

  constructor(options: { requests: RequestService; lease: Lease; logger: Logger }) {
    this.#requests = options.requests;
    this.#lease = options.lease;
    this.#logger = options.logger;
  }

  start(): void {
    const run = () => {
      this.#pass = this.#once().finally(() => {
        this.#timer = setTimeout(run, INTERVAL_MS);
        this.#timer.unref();
      });
    };
    run();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    await this.#pass;
    await this.#lease.release().catch(() => {});
  }

  async #once(): Promise<void> {
    try {
      if (await this.#lease.acquire()) await this.#requests.expireDue();
    } catch (err) {
      this.#logger.warn({ err: String(err) }, "request expiry pass failed");
    }
  }
}
