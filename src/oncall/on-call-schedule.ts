import { createHash } from "node:crypto";
import type { Clock } from "../shared/clock.ts";
import type { Logger } from "../shared/logger.ts";
import { type FeedLimits, type FeedSource, readFeed } from "./feed-reader.ts";
import { OnCallCalendar } from "./ical-calendar.ts";
import type { FeedCopy, ScheduleCache } from "./schedule-cache.ts";
import type { PersonReader } from "./shift-people.ts";

/** Who was on call at an instant, and how fresh the schedule that says so is. */
export interface OnCallAnswer {
  schedule: string;
  /** Everyone on call then, overrides first; [] when the schedule has a gap. */
  people: string[];
  /** When the copy that answered was read (ms). */
  fetchedAt: number;
  /** The last read failed: the answer comes from the last good copy. */
  stale: boolean;
}

export type RefreshOutcome = "updated" | "unchanged" | "failed";

/**
 * One configured schedule: the last good calendar in memory, read again every refresh
 * interval. A read that fails (feed down, refused, not a calendar) keeps the last good
 * copy — from memory, or from Redis, where every good read is kept for other replicas and
 * for a restart during an outage. A schedule no copy was ever read of answers nothing, and
 * the rules naming it do not apply.
 */
export class OnCallSchedule {
  readonly name: string;
  readonly #source: FeedSource;
  readonly #sourceId: string;
  readonly #limits: FeedLimits;
  readonly #people: PersonReader;
  readonly #cache: ScheduleCache;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #calendar: OnCallCalendar | undefined;
  #copy: (Omit<FeedCopy, "text"> & { hash: string }) | undefined;
  #stale = false;

  constructor(options: {
    name: string;
    source: FeedSource;
    limits: FeedLimits;
    people: PersonReader;
    cache: ScheduleCache;
    clock: Clock;
    logger: Logger;
  }) {
    this.name = options.name;
    this.#source = options.source;
    // Names the source without holding it: the URL's token never reaches Redis or a log.
    this.#sourceId = sha256("url" in options.source ? options.source.url : `file:${options.source.file}`);
    this.#limits = options.limits;
    this.#people = options.people;
    this.#cache = options.cache;
    this.#clock = options.clock;
    this.#logger = options.logger.child({ schedule: options.name });
  }

  /** Who is on call at `at`; undefined while no copy of the schedule was ever read. */
  onCallAt(at: number): OnCallAnswer | undefined {
    if (!this.#calendar || !this.#copy) return undefined;
    return {
      schedule: this.name,
      people: this.#calendar.peopleAt(at),
      fetchedAt: this.#copy.fetchedAt,
      stale: this.#stale,
    };
  }

  /** When the copy in use was read, if there is one; for the staleness metric. */
  get fetchedAt(): number | undefined {
    return this.#copy?.fetchedAt;
  }

  get stale(): boolean {
    return this.#stale;
  }

  /** Reads the feed; on failure, falls back to the copy in Redis if it is newer than ours. */
  async refresh(): Promise<RefreshOutcome> {
    const fetchedAt = this.#clock.now();
    try {
      const text = await readFeed(this.#source, this.#limits);
      const hash = sha256(text);
      if (hash === this.#copy?.hash) {
        this.#copy = { ...this.#copy, fetchedAt };
        this.#stale = false;
        await this.#cache.touch(this.name, fetchedAt).catch((err) => this.#cacheFailed(err));
        return "unchanged";
      }
      this.#use({ text, fetchedAt, source: this.#sourceId }, hash);
      this.#stale = false;
      await this.#cache
        .save(this.name, { text, fetchedAt, source: this.#sourceId })
        .catch((err) => this.#cacheFailed(err));
      return "updated";
    } catch (err) {
      this.#stale = true;
      await this.#fallBack(err instanceof Error ? err.message : String(err));
      return "failed";
    }
  }

  /** At start: the copy another replica (or this one, before a restart) kept in Redis. */
  async loadCached(): Promise<boolean> {
    try {
      const copy = await this.#cache.load(this.name);
      if (!copy || copy.source !== this.#sourceId) return false;
      this.#use(copy, sha256(copy.text));
      return true;
    } catch (err) {
      this.#logger.warn({ err: String(err) }, "on-call schedule: the copy in Redis could not be read");
      return false;
    }
  }

  async #fallBack(reason: string): Promise<void> {
    const known = this.#copy?.fetchedAt;
    const cached = await this.#cache.load(this.name).catch(() => undefined);
    if (cached && cached.source === this.#sourceId && (known === undefined || cached.fetchedAt > known)) {
      try {
        this.#use(cached, sha256(cached.text));
      } catch {
        // A copy that no longer parses is no better than none.
      }
    }
    const copy = this.#copy;
    if (copy) {
      this.#logger.warn(
        { err: reason, fetchedAt: new Date(copy.fetchedAt).toISOString() },
        "on-call schedule could not be read; answering from the last good copy",
      );
      return;
    }
    this.#logger.error(
      { err: reason },
      "on-call schedule could not be read and no copy was ever read: request rules naming it do not apply " +
        "(their requests go to the rule's approvers) until it can be",
    );
  }

  /** Parses before replacing: a feed that is not a calendar never displaces a good one. */
  #use(copy: FeedCopy, hash: string): void {
    const calendar = new OnCallCalendar(copy.text, this.#people);
    for (const warning of calendar.warnings) this.#logger.warn(`on-call schedule: ${warning}`);
    this.#calendar = calendar;
    this.#copy = { fetchedAt: copy.fetchedAt, source: copy.source, hash };
  }

  #cacheFailed(err: unknown): void {
    this.#logger.warn(
      { err: String(err) },
      "on-call schedule read, but not kept in Redis for other replicas",
    );
  }
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
