import type { Clock } from "../shared/clock.ts";
import { randomId } from "../shared/ids.ts";
import type { Logger } from "../shared/logger.ts";
import type { GrantService } from "./grant-service.ts";
import type { GrantStore } from "./grant-store.ts";

export interface ExpiryWorkerOptions {
  store: GrantStore;
  grants: GrantService;
  clock: Clock;
  logger: Logger;
}

/** Longest sleep between passes; deadlines sooner than this wake the worker earlier. */
const MAX_INTERVAL_MS = 500;
/**
 * How long one replica keeps a grant to itself. Short, so that work left by a replica that
 * died mid-way is picked up by another well within the 2-second target.
 */
const LOCK_MS = 1000;
const BATCH = 50;

/**
 * Ends grants at their deadline. Every replica runs one; per-grant locks spread the work,
 * and the store's compare-and-set makes each end happen exactly once.
 */
export class ExpiryWorker {
  readonly #options: ExpiryWorkerOptions;
  readonly #holder = `expiry-${randomId(6)}`;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #stopped = true;
  #pass: Promise<void> = Promise.resolve();

  constructor(options: ExpiryWorkerOptions) {
    this.#options = options;
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#pass;
  }

  /** One pass: end every grant whose deadline has passed. Exposed for tests. */
  async runOnce(): Promise<number> {
    const { store, grants, clock, logger } = this.#options;
    let ended = 0;
    for (const id of await store.dueBefore(clock.now(), BATCH)) {
      if (!(await store.tryLock(id, this.#holder, LOCK_MS))) continue;
      try {
        const grant = await store.get(id);
        if (grant && grant.state !== "ended" && grant.expiresAt <= clock.now()) {
          await grants.end(grant, "expired", `deadline ${new Date(grant.expiresAt).toISOString()} passed`);
          ended++;
        }
      } catch (err) {
        logger.error({ grant: id, err }, "could not end expired grant; will retry");
      } finally {
        await store.unlock(id, this.#holder).catch(() => {});
      }
    }
    return ended;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#pass = this.#tick();
    }, delayMs);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    let next = MAX_INTERVAL_MS;
    try {
      await this.runOnce();
      const deadline = await this.#options.store.nextDeadline();
      if (deadline !== undefined) next = Math.max(10, Math.min(next, deadline - this.#options.clock.now()));
    } catch (err) {
      this.#options.logger.warn({ err }, "expiry pass failed");
    } finally {
      this.#running = false;
      this.#schedule(next);
    }
  }
}
