import type { Logger } from "../../shared/logger.ts";
import type { RedisClient } from "../../shared/redis.ts";
import { retrying } from "../connection.ts";
import type { AuditEntry } from "../record-fields.ts";
import { compareStreamIds } from "../stream-ids.ts";
import { parseEntries, streamEnd } from "./audit-query-store.ts";

export interface TailSubscriberOptions {
  redis: RedisClient;
  key: string;
  logger: Logger;
  /** Resume after this stream ID; unset: from now on. */
  after?: string;
  /** Resolves once the shared live loop has fixed where it reads from. */
  loopStarted: Promise<unknown>;
  filter(entry: AuditEntry): boolean;
  onEntries(entries: AuditEntry[]): void;
  onClose?(): void;
  signal: AbortSignal;
}

const CATCH_UP_PAGE = 500;

/**
 * One live-tail client. No gap: it registers with the live loop, and waits for the loop to
 * fix its starting point, before its first read; so any entry the loop delivered earlier
 * was already in Redis when that XRANGE ran, and any later one arrives through `receive`. While catching up it keeps only what the loop
 * delivered since its latest XRANGE was sent (older ones are covered by that XRANGE), so
 * the buffer stays small however long the catch-up. No repeat: every entry is compared
 * with the last ID this subscriber has passed.
 */
export class TailSubscriber {
  readonly #options: TailSubscriberOptions;
  readonly #closing = new AbortController();
  readonly #signal: AbortSignal;
  #lastSeen = "0-0";
  #live = false;
  #buffer: AuditEntry[] = [];
  readonly #started = Promise.withResolvers<void>();

  constructor(options: TailSubscriberOptions) {
    this.#options = options;
    this.#signal = AbortSignal.any([options.signal, this.#closing.signal]);
  }

  /** Resolves once the starting point is fixed: later entries will all be delivered. */
  get started(): Promise<void> {
    return this.#started.promise;
  }

  start(): void {
    this.#catchUp().catch((err: unknown) => {
      this.#options.logger.error({ err }, "audit live tail: catch-up failed");
      this.close();
    });
  }

  receive(entries: AuditEntry[]): void {
    if (this.#signal.aborted) return;
    if (this.#live) this.#pass(entries);
    else this.#buffer.push(...entries);
  }

  close(): void {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort();
    this.#started.resolve();
    this.#buffer = [];
    this.#options.onClose?.();
  }

  async #catchUp(): Promise<void> {
    const { redis, key } = this.#options;
    await this.#options.loopStarted;
    const start = this.#options.after ?? (await retrying(() => streamEnd(redis, key), this.#signal));
    if (start === undefined) return;
    this.#lastSeen = start;
    this.#started.resolve();
    for (;;) {
      const page = await retrying(() => {
        // Whatever the loop delivered before this read is covered by it.
        this.#buffer = [];
        return redis
          .call("xrange", key, `(${this.#lastSeen}`, "+", "COUNT", CATCH_UP_PAGE)
          .then(parseEntries);
      }, this.#signal);
      if (page === undefined) return;
      this.#pass(page);
      if (page.length < CATCH_UP_PAGE) break;
    }
    this.#live = true;
    this.#pass(this.#buffer);
    this.#buffer = [];
  }

  #pass(entries: AuditEntry[]): void {
    const fresh = entries.filter((entry) => compareStreamIds(entry.streamId, this.#lastSeen) > 0);
    if (fresh.length === 0 || this.#signal.aborted) return;
    this.#lastSeen = fresh.at(-1)!.streamId;
    const wanted = fresh.filter((entry) => this.#options.filter(entry));
    if (wanted.length > 0) this.#options.onEntries(wanted);
  }
}
