import type { Logger } from "../../shared/logger.ts";
import type { RedisClient } from "../../shared/redis.ts";
import type { AuditCursor } from "../audit-cursor.ts";
import type { AuditKeys } from "../audit-keys.ts";
import { backoffMs, retrying, sleep } from "../connection.ts";
import { parseEntries } from "../stream-ids.ts";
import type { AuditQueryStore } from "./audit-query-store.ts";
import { TailSubscriber, type TailSubscriberOptions } from "./tail-subscriber.ts";

export interface TailOptions {
  /** For catch-up reads (merged over the shards) and finding the streams' ends. */
  store: AuditQueryStore;
  /** Per shard, a connection of its own for the blocking XREAD (connection.ts). */
  blocking: readonly RedisClient[];
  keys: AuditKeys;
  logger: Logger;
  onSubscribersChanged?: (count: number) => void;
}

/** How long one blocking read waits for new records before it is issued again. */
const BLOCK_MS = 5000;

/** What a caller gives to subscribe: where to resume, what to keep, where to send it. */
export type TailSubscriberRequest = Omit<
  TailSubscriberOptions,
  "store" | "logger" | "loopStarted" | "signal"
>;

export interface TailSubscription {
  /**
   * Resolves once the subscription's starting point is fixed (for "from now on", that
   * needs Redis): only then is every later record sure to be delivered.
   */
  started: Promise<void>;
  close(): void;
}

/** One run of the live loops: from where they started until no one is subscribed. */
interface Generation {
  liveFrom: Promise<AuditCursor | undefined>;
  loops: Promise<void>;
  closing: boolean;
}

/**
 * The live tail behind GET /v1/audit/stream: one blocking XREAD loop per shard and process,
 * fanned out to every open stream, instead of Redis connections per client (any signed-in
 * user may open streams). Each shard's loop has a connection of its own: on a Cluster the
 * shards sit in different slots, where one XREAD cannot read them together. A new
 * subscriber first catches up from its own position (merged over the shards, in time
 * order) and then joins the live feed, where each shard's records come in that shard's
 * order as they are read; see TailSubscriber for why that has no gap and no repeat. While
 * Redis is away the loops retry and subscribers simply wait; on its return each loop goes
 * on from its cursor, so nothing written meanwhile is skipped.
 */
export class AuditTail {
  readonly #options: TailOptions;
  readonly #subscribers = new Set<TailSubscriber>();
  #generation: Generation | undefined;
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
    const generation = this.#currentGeneration();
    const subscriber = new TailSubscriber({
      ...options,
      store: this.#options.store,
      logger: this.#options.logger,
      loopStarted: generation.liveFrom,
      signal: this.#stopping.signal,
    });
    this.#subscribers.add(subscriber);
    this.#options.onSubscribersChanged?.(this.#subscribers.size);
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
    await this.#generation?.loops;
  }

  /**
   * The running loops, or new ones starting at the streams' ends as they are now. Loops
   * that found no subscriber are winding down (one may still sit in its XREAD) and never
   * deliver again, so a subscriber arriving then starts a new generation.
   */
  #currentGeneration(): Generation {
    if (this.#generation && !this.#generation.closing) return this.#generation;
    const liveFrom = retrying(() => this.#options.store.ends(), this.#stopping.signal);
    const generation: Generation = { liveFrom, loops: Promise.resolve(), closing: false };
    generation.loops = Promise.all(
      this.#options.blocking.map((_, shard) => this.#run(generation, shard)),
    ).then(() => {
      if (this.#generation === generation) this.#generation = undefined;
    });
    this.#generation = generation;
    return generation;
  }

  async #run(generation: Generation, shard: number): Promise<void> {
    const { keys, logger } = this.#options;
    const blocking = this.#options.blocking[shard]!;
    const signal = this.#stopping.signal;
    const from = await generation.liveFrom;
    if (!from) return;
    let cursor = from[shard]!;
    let failures = 0;
    const active = () => {
      // Closed in the same turn as the check, so no subscriber joins a closing generation.
      if (this.#subscribers.size === 0) generation.closing = true;
      return !generation.closing && !signal.aborted;
    };
    while (active()) {
      try {
        const reply = (await blocking.call(
          "xread",
          "COUNT",
          500,
          "BLOCK",
          BLOCK_MS,
          "STREAMS",
          keys.shards[shard]!.log,
          cursor,
        )) as [string, unknown][] | null;
        failures = 0;
        const entries = parseEntries(reply?.[0]?.[1]);
        if (entries.length === 0 || generation.closing) continue;
        cursor = entries.at(-1)!.streamId;
        for (const subscriber of this.#subscribers) subscriber.receive(shard, entries);
      } catch (err) {
        if (failures === 0)
          logger.warn({ err: (err as Error).message, shard }, "audit live tail: Redis read failed");
        await sleep(backoffMs(failures++, { initialMs: 100, maxMs: 5000 }), signal);
      }
    }
  }
}
