import type { Grant } from "./grant.ts";

/** Where grants live. Redis in production; a fake for unit tests. */
export interface GrantStore {
  /** Stores a new grant; fails if the id or its ServiceAccount name is taken. */
  create(grant: Grant): Promise<void>;
  get(id: string): Promise<Grant | undefined>;
  findByServiceAccount(cluster: string, serviceAccountName: string): Promise<Grant | undefined>;
  listByPrincipal(subject: string): Promise<Grant[]>;
  /** Grants not yet ended (pending or active). */
  listOpen(): Promise<Grant[]>;
  /** The ids of the grants not yet ended. */
  openIds(): Promise<string[]>;
  /**
   * The grants not yet ended, `size` at a time: a pass over ten thousand of them holds only a
   * page in memory (and the garbage collector has only that to copy).
   */
  openPages(size: number): AsyncIterable<Grant[]>;
  countOpen(): Promise<number>;
  listAll(options?: { includeEnded?: boolean }): Promise<Grant[]>;
  /**
   * Ids of open grants whose deadline is at or before `until` (ms): the soonest due first, or
   * with `latest`, the most recently due first.
   */
  dueBefore(until: number, limit: number, latest?: boolean): Promise<string[]>;
  /** The earliest deadline of an open grant, if any. */
  nextDeadline(): Promise<number | undefined>;
  /**
   * Replaces the grant if its stored version still equals `next.version - 1`. Returns false
   * when someone else changed it first. A change to `ended` also announces the end (see
   * subscribeEnded) in the same atomic step.
   */
  compareAndSet(next: Grant): Promise<boolean>;
  /** A short per-grant lock so that replicas do not all work on the same grant at once. */
  tryLock(id: string, holder: string, ttlMs: number): Promise<boolean>;
  unlock(id: string, holder: string): Promise<void>;
  /**
   * Calls back with the id of every grant that ends, on any replica. `onResync` is called when
   * announcements may have been missed (the subscription was lost and is back), so callers
   * drop what they cached. Returns an unsubscribe.
   */
  subscribeEnded(onEnded: (grantId: string) => void, onResync?: () => void): Promise<() => Promise<void>>;
}

/** Thrown by create() when the id or ServiceAccount name already exists. */
export class GrantExists extends Error {}
