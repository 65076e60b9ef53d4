import type { Logger } from "../../shared/logger.ts";
import { type AuditCursor, formatCursor } from "../audit-cursor.ts";
import { retrying } from "../connection.ts";
import type { AuditEntry } from "../record-fields.ts";
import { compareStreamIds } from "../stream-ids.ts";
import type { AuditQueryStore } from "./audit-query-store.ts";
import type { ShardEntry } from "./merged-scan.ts";

export interface TailSubscriberOptions {
  store: AuditQueryStore;
  logger: Logger;
  /** Resume from this cursor; unset: from now on. */
  after?: AuditCursor;
  /** Resolves once the shared live loops have fixed where they read from. */
  loopStarted: Promise<unknown>;
  filter(entry: AuditEntry): boolean;
  /** Entries to send, each with the cursor just after it (its event id). */
  onEntries(entries: AuditEntry[], cursors: string[]): void;
  onClose?(): void;
  signal: AbortSignal;
}

const CATCH_UP_PAGE = 500;

/**
 * One live-tail client. No gap: it registers with the live loops, and waits for them to
 * fix their starting points, before its first read; so any entry a loop delivered earlier
 * was already in Redis when the catch-up read ran, and any later one arrives through
 * `receive`. While catching up it keeps only what the loops delivered since its latest
 * read began (older ones are covered by that read), so the buffer stays small however
 * long the catch-up. No repeat: every entry is compared with the last ID this subscriber
 * has passed in its shard. The cursor after each entry (its event id) holds that last ID
 * for every shard, so a client resuming from it misses nothing in any shard.
 */
export class TailSubscriber {
  readonly #options: TailSubscriberOptions;
  readonly #closing = new AbortController();
  readonly #signal: AbortSignal;
  #lastSeen: string[] = [];
  #live = false;
  #buffer: ShardEntry[] = [];
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

  receive(shard: number, entries: AuditEntry[]): void {
    if (this.#signal.aborted) return;
    const tagged = entries.map((entry) => ({ shard, entry }));
    if (this.#live) this.#pass(tagged);
    else this.#buffer.push(...tagged);
  }

  close(): void {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort();
    this.#started.resolve();
    this.#buffer = [];
    this.#options.onClose?.();
  }

  async #catchUp(): Promise<void> {
    const { store } = this.#options;
    await this.#options.loopStarted;
    const start = this.#options.after ?? (await retrying(() => store.ends(), this.#signal));
    if (start === undefined) return;
    this.#lastSeen = [...start];
    this.#started.resolve();
    for (;;) {
      const page = await retrying(async () => {
        // Whatever the loops delivered before this read is covered by it.
        this.#buffer = [];
        const scan = store.scan({}, this.#lastSeen, CATCH_UP_PAGE);
        const read: ShardEntry[] = [];
        for (
          let next = await scan.next();
          next;
          next = read.length < CATCH_UP_PAGE ? await scan.next() : undefined
        )
          read.push(next);
        return read;
      }, this.#signal);
      if (page === undefined) return;
      this.#pass(page);
      if (page.length < CATCH_UP_PAGE) break;
    }
    this.#live = true;
    this.#pass(this.#buffer);
    this.#buffer = [];
  }

  #pass(entries: ShardEntry[]): void {
    if (this.#signal.aborted) return;
    const wanted: AuditEntry[] = [];
    const cursors: string[] = [];
    for (const { shard, entry } of entries) {
      if (compareStreamIds(entry.streamId, this.#lastSeen[shard]!) <= 0) continue;
      this.#lastSeen[shard] = entry.streamId;
      if (!this.#options.filter(entry)) continue;
      wanted.push(entry);
      cursors.push(formatCursor(this.#lastSeen));
    }
    if (wanted.length > 0) this.#options.onEntries(wanted, cursors);
  }
}
