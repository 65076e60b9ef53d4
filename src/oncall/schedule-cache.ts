/** The last good copy of a feed, as read. */
export interface FeedCopy {
  text: string;
  /** When it was read (ms). */
  fetchedAt: number;
  /** Which configured source it came from (a hash): a copy of another URL is not this schedule. */
  source: string;
}

/**
 * Where last good copies are kept beyond this process: Redis, so a restarted broker, or
 * another replica, knows a schedule while its feed is down.
 */
export interface ScheduleCache {
  load(schedule: string): Promise<FeedCopy | undefined>;
  save(schedule: string, copy: FeedCopy): Promise<void>;
  /** Records a read that found the feed unchanged. */
  touch(schedule: string, fetchedAt: number): Promise<void>;
}
