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
  /** After how long a grant's end that has not finished stops holding up passes (tests shorten it). */
  hungAfterMs?: number;
}

/** Longest sleep between passes; deadlines sooner than this wake the worker earlier. */
const MAX_INTERVAL_MS = 500;
/**
 * How long one replica keeps a grant to itself. Short, so that work left by a replica that
 * died mid-way is picked up by another well within the 2-second target.
 */
const LOCK_MS = 1000;
/** Grants a pass takes: half the soonest due, half the most recently due. */
const BATCH = 64;
/**
 * Grants a pass ends at once. Each end is a few API calls over shared connections: enough at
 * once to end thousands due together within seconds, few enough not to flood the API server.
 */
const CONCURRENCY = 16;
/**
 * Passes that may run at once. The next pass does not wait for one stuck on a hung Redis
 * node (until redis.commandTimeout) before it has taken any grant: after a failover it is
 * the next pass, routed to the new master, that ends the grants due meanwhile. A pass that
 * holds a grant's lock does hold up the next, so that a replica frozen mid-way takes only one
 * grant hostage (another replica ends it when the lock lapses).
 */
const MAX_PASSES = 2;
/**
 * Every call an end makes is bounded (redis.commandTimeout, the cluster request timeout), so
 * an end still under way after this long is stuck on a promise that will never settle. It
 * stops holding up passes: otherwise one such bug would stop every grant from ever ending.
 */
const HUNG_AFTER_MS = 15_000;

/**
 * Ends grants at their deadline. Every replica runs one; per-grant locks spread the work,
 * and the store's compare-and-set makes each end happen exactly once, so passes that overlap
 * (within one replica too) never end a grant twice.
 */
export class ExpiryWorker {
  readonly #options: ExpiryWorkerOptions;
  readonly #holder = `expiry-${randomId(6)}`;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  readonly #passes = new Set<Promise<void>>();
  /** Grants a pass of this worker has locked and not yet let go of, and since when (ms). */
  readonly #locked = new Set<{ grant: string; since: number }>();

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
    await Promise.all(this.#passes);
  }

  /**
   * One pass: ends up to BATCH grants whose deadline has passed, CONCURRENCY at a time.
   * Taking the most recently due as well as the soonest keeps a backlog (thousands due at
   * once) from holding up a grant that falls due while it drains. Exposed for tests.
   */
  async runOnce(): Promise<number> {
    const { store, clock } = this.#options;
    const now = clock.now();
    const [latest, soonest] = await Promise.all([
      store.dueBefore(now, BATCH / 2, true),
      store.dueBefore(now, BATCH / 2),
    ]);
    const due = [...new Set([...latest, ...soonest])];
    let ended = 0;
    let next = 0;
    const lane = async () => {
      while (next < due.length) if (await this.#endIfDue(due[next++]!)) ended++;
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, due.length) }, lane));
    return ended;
  }

  async #endIfDue(id: string): Promise<boolean> {
    const { store, grants, clock, logger } = this.#options;
    if (!(await store.tryLock(id, this.#holder, LOCK_MS))) return false;
    const held = { grant: id, since: performance.now() };
    this.#locked.add(held);
    try {
      const grant = await store.get(id);
      if (!grant || grant.state === "ended" || grant.expiresAt > clock.now()) return false;
      await grants.end(grant, "expired", `deadline ${new Date(grant.expiresAt).toISOString()} passed`);
      return true;
    } catch (err) {
      logger.error({ grant: id, err }, "could not end expired grant; will retry");
      return false;
    } finally {
      this.#locked.delete(held);
      await store.unlock(id, this.#holder).catch(() => {});
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), delayMs);
    this.#timer.unref();
  }

  /** Starts a pass (unless MAX_PASSES are under way) and the timer for the next, at once. */
  #tick(): void {
    this.#schedule(MAX_INTERVAL_MS);
    if (this.#passes.size >= MAX_PASSES || this.#holdingLocks()) return;
    const pass = this.#pass().finally(() => this.#passes.delete(pass));
    this.#passes.add(pass);
  }

  /** Whether an end of this worker is under way and not yet taken for hung. */
  #holdingLocks(): boolean {
    const hungBefore = performance.now() - (this.#options.hungAfterMs ?? HUNG_AFTER_MS);
    let holding = false;
    for (const held of this.#locked) {
      if (held.since > hungBefore) holding = true;
      else {
        this.#locked.delete(held);
        this.#options.logger.error(
          { grant: held.grant },
          "ending this expired grant has hung; passes go on without it",
        );
      }
    }
    return holding;
  }

  async #pass(): Promise<void> {
    try {
      await this.runOnce();
      // A deadline sooner than the next pass brings it forward.
      const deadline = await this.#options.store.nextDeadline();
      const wait = deadline === undefined ? MAX_INTERVAL_MS : deadline - this.#options.clock.now();
      if (wait < MAX_INTERVAL_MS) this.#schedule(Math.max(10, wait));
    } catch (err) {
      this.#options.logger.warn({ err }, "expiry pass failed");
    }
  }
}
