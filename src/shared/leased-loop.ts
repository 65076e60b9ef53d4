import type { Lease } from "./lease.ts";
import type { Logger } from "./logger.ts";

/**
 * Work one replica does at a time, every `intervalMs` (reconcile, request expiry, namespace
 * sync): a pass runs only while this replica holds the lease, a failed pass is logged and the
 * next comes as usual, and stop() waits for the pass under way, then gives the lease up so
 * another replica takes over at once.
 */
export class LeasedLoop {
  readonly #lease: Lease;
  readonly #intervalMs: number;
  readonly #pass: () => Promise<unknown>;
  readonly #logger: Logger;
  readonly #what: string;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();

  constructor(options: {
    lease: Lease;
    intervalMs: number;
    pass: () => Promise<unknown>;
    logger: Logger;
    /** For the log line of a failed pass: "reconcile", "request expiry"… */
    what: string;
  }) {
    this.#lease = options.lease;
    this.#intervalMs = options.intervalMs;
    this.#pass = options.pass;
    this.#logger = options.logger;
    this.#what = options.what;
  }

  start(): void {
    const run = () => {
      this.#running = this.#leasedPass().finally(() => {
        this.#timer = setTimeout(run, this.#intervalMs);
        this.#timer.unref();
      });
    };
    run();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    await this.#running;
    await this.#lease.release().catch(() => {});
  }

  async #leasedPass(): Promise<void> {
    try {
      if (await this.#lease.acquire()) await this.#pass();
    } catch (err) {
      this.#logger.warn({ err: String(err) }, `${this.#what} pass failed`);
    }
  }
}
