import { backoffMs, sleep } from "../shared/backoff.ts";
import type { Logger } from "../shared/logger.ts";
import { ensureConsumerGroup, type RedisClient } from "../shared/redis.ts";
import type { DeliveryOutcome } from "./webhook-delivery.ts";

/** The consumer group every replica's notifier reads in. */
export const NOTIFY_GROUP = "kb-notify";

/** One stream entry: one notification for one webhook. */
export interface PendingDelivery {
  id: string;
  webhook: string;
  event: string;
  body: string;
}

export interface NotificationConsumerOptions {
  /** For acks, claims and ownership checks. */
  redis: RedisClient;
  /** Its own connection, for the blocking XREADGROUP (stop() closes it to end the wait). */
  connection: RedisClient;
  stream: string;
  /** This replica's consumer name in the group. */
  consumer: string;
  /** How long an entry may sit idle with a consumer before another claims it. */
  claimIdleMs: number;
  deliver(
    entry: PendingDelivery,
    control: { signal: AbortSignal; stillOurs(): Promise<boolean> },
  ): Promise<DeliveryOutcome>;
  logger: Logger;
  /** Deliveries under way at once (a dead webhook's retries must not hold up the others). */
  maxInFlight?: number;
}

type RawEntry = [id: string, fields: string[] | null];

/** Refreshes an entry's idle time, but only while this consumer still owns it. */
const STILL_OURS = `
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2])
if #p == 0 then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
return 1`;

/** A consumer this long idle with nothing pending is gone (replicas get new names on start). */
const GONE_AFTER_MS = 10 * 60_000;

/**
 * Every replica runs one consumer in the group NOTIFY_GROUP over the notifications stream, so
 * each entry goes to exactly one replica. An entry is acknowledged (and deleted) only once
 * its webhook accepted it or it ran out of attempts; until then it stays pending with its
 * consumer. A consumer keeps its entries fresh before each attempt; one that crashed stops
 * doing so, and after `claimIdleMs` any replica takes its entries over (XAUTOCLAIM) and
 * delivers them. Entries are one webhook each, so a re-claimed entry is never sent to a
 * webhook that already took it; the one window left is a crash between a webhook's answer
 * and the ack, which sends that one delivery again (at least once, never lost).
 */
export class NotificationConsumer {
  readonly #options: NotificationConsumerOptions;
  readonly #stopping = new AbortController();
  readonly #inFlight = new Map<string, Promise<void>>();
  #loop: Promise<void> | undefined;
  #claimedAt = Number.NEGATIVE_INFINITY;

  constructor(options: NotificationConsumerOptions) {
    this.#options = options;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * Stops reading, lets attempts under way finish (an accepted one is acknowledged), and
   * leaves what waits for a retry pending: another replica claims it after `claimIdleMs`.
   */
  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#options.connection.disconnect();
    await this.#loop;
    await Promise.all(this.#inFlight.values());
  }

  async #run(): Promise<void> {
    const { connection, stream, logger } = this.#options;
    const signal = this.#stopping.signal;
    let failures = 0;
    let grouped = false;
    while (!signal.aborted) {
      try {
        if (!grouped) await ensureConsumerGroup(connection, stream, NOTIFY_GROUP);
        grouped = true;
        if (performance.now() - this.#claimedAt >= this.#claimEveryMs) await this.#claimStale();
        await this.#waitForRoom();
        if (!signal.aborted) await this.#readNew();
        failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        grouped = false; // the stream may be gone with its group (NOGROUP)
        logger.warn({ err: (err as Error).message }, "notifications paused: Redis failed");
        await sleep(backoffMs(failures++, { initialMs: 200, maxMs: 10_000 }), signal);
      }
    }
  }

  get #claimEveryMs(): number {
    return Math.max(100, this.#options.claimIdleMs / 2);
  }

  async #readNew(): Promise<void> {
    const { connection, stream, consumer } = this.#options;
    const room = (this.#options.maxInFlight ?? 32) - this.#inFlight.size;
    const block = Math.min(2000, this.#claimEveryMs);
    const reply = (await connection.call(
      "xreadgroup",
      ...["GROUP", NOTIFY_GROUP, consumer, "COUNT", String(room), "BLOCK", String(block)],
      ...["STREAMS", stream, ">"],
    )) as [string, RawEntry[]][] | null;
    for (const entry of reply?.[0]?.[1] ?? []) this.#dispatch(entry);
  }

  /** Takes over entries idle past claimIdleMs (their consumer died), and forgets dead consumers. */
  async #claimStale(): Promise<void> {
    const { redis, stream, consumer, claimIdleMs } = this.#options;
    this.#claimedAt = performance.now();
    let cursor = "0-0";
    do {
      const reply = (await redis.call(
        "xautoclaim",
        ...[stream, NOTIFY_GROUP, consumer, String(claimIdleMs), cursor, "COUNT", "100"],
      )) as [string, RawEntry[]];
      cursor = reply[0];
      for (const entry of reply[1]) this.#dispatch(entry);
    } while (cursor !== "0-0" && !this.#stopping.signal.aborted);
    const consumers = (await redis.call("xinfo", "CONSUMERS", stream, NOTIFY_GROUP)) as unknown[][];
    for (const fields of consumers) {
      const info = Object.fromEntries(
        Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i], fields[2 * i + 1]]),
      );
      if (info.name !== consumer && Number(info.pending) === 0 && Number(info.idle) > GONE_AFTER_MS)
        await redis.call("xgroup", "DELCONSUMER", stream, NOTIFY_GROUP, String(info.name));
    }
  }

  async #waitForRoom(): Promise<void> {
    while (this.#inFlight.size >= (this.#options.maxInFlight ?? 32) && !this.#stopping.signal.aborted)
      await Promise.race(this.#inFlight.values());
  }

  #dispatch([id, fields]: RawEntry): void {
    // Ours already (a claim can return an entry this consumer is still retrying), or deleted.
    if (this.#inFlight.has(id) || !fields) return;
    const get = (name: string) => fields[fields.indexOf(name) + 1] ?? "";
    const entry = { id, webhook: get("webhook"), event: get("event"), body: get("body") };
    const delivery = this.#deliverAndAck(entry).finally(() => this.#inFlight.delete(id));
    this.#inFlight.set(id, delivery);
  }

  async #deliverAndAck(entry: PendingDelivery): Promise<void> {
    const { redis, stream, consumer, logger } = this.#options;
    try {
      const outcome = await this.#options.deliver(entry, {
        signal: this.#stopping.signal,
        stillOurs: async () =>
          (await redis.eval(STILL_OURS, 1, stream, NOTIFY_GROUP, consumer, entry.id)) === 1,
      });
      if (outcome === "abandoned") return;
      await redis.multi().xack(stream, NOTIFY_GROUP, entry.id).xdel(stream, entry.id).exec();
    } catch (err) {
      // Redis failed around the delivery: it stays pending and is claimed again later.
      logger.warn({ err: (err as Error).message, entry: entry.id }, "notification left pending");
    }
  }
}
