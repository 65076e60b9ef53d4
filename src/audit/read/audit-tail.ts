import type { Logger } from "../../shared/logger.ts";
import type { RedisClient } from "../../shared/redis.ts";
import type { AuditKeys } from "../audit-keys.ts";
import { backoffMs, retrying, sleep } from "../connection.ts";
import { parseEntries, streamEnd } from "./audit-query-store.ts";
import { TailSubscriber, type TailSubscriberOptions } from "./tail-subscriber.ts";

export interface TailOptions {
  /** For catch-up reads (XRANGE) and finding the stream's end. */
  redis: RedisClient;
  /** A connection of its own for the blocking XREAD (connection.ts). */
  blocking: RedisClient;
  keys: AuditKeys;
  logger: Logger;
  onSubscribersChanged?: (count: number) => void;
}

/** How long one blocking read waits for new records before it is issued again. */
const BLOCK_MS = 5000;

/** What a caller gives to subscribe: where to resume, what to keep, where to send it. */
export type TailSubscriberRequest = Omit<
  TailSubscriberOptions,
  "redis" | "key" | "logger" | "loopStarted" | "signal"
>;

export interface TailSubscription {
  /**
   * Resolves once the subscription's starting point is fixed (for "from now on", that
   * needs Redis): only then is every later record sure to be delivered.
   */
  started: Promise<void>;
  close(): void;
}

/**
 * The live tail behind GET /v1/audit/stream: one blocking XREAD loop per process, fanned
 * out to every open stream, instead of a Redis connection per client (any signed-in user
 * may open streams). A new subscriber first catches up from its own position with XRANGE
 * and then joins the live feed; see TailSubscriber for why that has no gap and no repeat.
 * While Redis is away the loop retries and subscribers simply wait; on its return the loop
 * goes on from its cursor, so nothing written meanwhile is skipped.
 */
export class AuditTail {
  readonly #options: TailOptions;
  readonly #subscribers = new Set<TailSubscriber>();
  /** Where the live loop starts reading; fixed before any subscriber catches up. */
  #liveFrom: Promise<string> | undefined;
  #loop: Promise<void> | undefined;
  readonly #stopping = new AbortController();

  constructor(options: TailOptions) {
    this.#options = options;
  }

  /** Entries after `after` (or from now on), passed through `filter`, until closed. */
  subscribe(options: TailSubscriberRequest): TailSubscription {
    if (this.#stopping.signal.aborted) {
      options.onClose?.();
      return { started: Promise.resolve(), close: () => {} };
    }
    this.#liveFrom ??= this.#streamEnd();
    const subscriber = new TailSubscriber({
      ...options,
      redis: this.#options.redis,
      key: this.#options.keys.log,
      logger: this.#options.logger,
      loopStarted: this.#liveFrom,
      signal: this.#stopping.signal,
    });
    this.#subscribers.add(subscriber);
    this.#options.onSubscribersChanged?.(this.#subscribers.size);
    this.#loop ??= this.#run(this.#liveFrom);
    subscriber.start();
    return {
      started: subscriber.started,
      close: () => {
        if (!this.#subscribers.delete(subscriber)) return;
        subscriber.close();
        this.#options.onSubscribersChanged?.(this.#subscribers.size);
      },
    };
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    for (const subscriber of this.#subscribers) subscriber.close();
    this.#subscribers.clear();
    this.#options.onSubscribersChanged?.(0);
    await this.#loop;
  }

  async #run(liveFrom: Promise<string>): Promise<void> {
    const { blocking, keys, logger } = this.#options;
    const signal = this.#stopping.signal;
    let cursor = await liveFrom;
    let failures = 0;
    while (this.#subscribers.size > 0 && !signal.aborted) {
      try {
        const reply = (await blocking.call(
          "xread",
          "COUNT",
          500,
          "BLOCK",
          BLOCK_MS,
          "STREAMS",
          keys.log,
          cursor,
        )) as [string, unknown][] | null;
        failures = 0;
        const entries = parseEntries(reply?.[0]?.[1]);
        if (entries.length === 0) continue;
        cursor = entries.at(-1)!.streamId;
        for (const subscriber of this.#subscribers) subscriber.receive(entries);
      } catch (err) {
        if (failures === 0)
          logger.warn({ err: (err as Error).message }, "audit live tail: Redis read failed");
        await sleep(backoffMs(failures++, { initialMs: 100, maxMs: 5000 }), signal);
      }
    }
    // Idle (cleared in the same turn as the check above, so a new subscriber starts a new
    // loop): the next one begins at the stream's end as it is then.
    this.#loop = undefined;
    this.#liveFrom = undefined;
  }

  /** The newest entry's ID (or 0-0), retried until Redis answers: where the loop begins. */
  async #streamEnd(): Promise<string> {
    const end = await retrying(
      () => streamEnd(this.#options.redis, this.#options.keys.log),
      this.#stopping.signal,
    );
    return end ?? "0-0";
  }
}
