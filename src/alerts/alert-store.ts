import type { Alert } from "./alert-rule.ts";

/**
 * The state rules keep between records, shared by every replica that evaluates. Each call
 * is idempotent for one record: evaluating a record again (a replica died before it
 * acknowledged it) gives the same answer as the first time and counts nothing twice.
 * Times are the records' own (ms), so a backlog evaluated late decides as it would have live.
 */
export interface AlertStore {
  /**
   * Counts `recordId` in the sliding `windowMs` of one rule and group value, and says whether
   * this record is the one whose arrival took the count in the window from below `count` to
   * `count` or more. The group then stays above until a record finds fewer than `count` in
   * its window, so a burst fires once, however long it lasts.
   */
  crossed(input: WindowInput): Promise<WindowAnswer>;
  /**
   * Remembers that `subject` was seen at `at`, and says whether this record is its first
   * sighting in `horizonMs`.
   */
  firstSeen(input: SightingInput): Promise<boolean>;
  /**
   * Appends the alert to the alert log, the first time its id is seen within `ttlMs`, in one
   * atomic step with that claim: true when this call fired it, false when it had fired before.
   * Whatever a replica does after this (deliver, act) follows from the log, so an alert
   * claimed is never lost to a crash. The log keeps alerts newer than `keepAfterMs`.
   */
  fire(alert: Alert, options: { ttlMs: number; keepAfterMs: number }): Promise<boolean>;
}

export interface WindowInput {
  rule: string;
  group: string;
  recordId: string;
  at: number;
  windowMs: number;
  count: number;
}

export interface WindowAnswer {
  crossed: boolean;
  /** Records in the window when this one was counted. */
  inWindow: number;
}

export interface SightingInput {
  rule: string;
  /** Who reached what: the user, the field and its value. */
  subject: string;
  recordId: string;
  at: number;
  horizonMs: number;
}
