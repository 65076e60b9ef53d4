import type { Config } from "../../config/schema.ts";
import { parseDuration } from "../../shared/duration.ts";
import { invalid, parseReportQuery, type ReportQuery } from "../usage/index.ts";

/** What `report review` is asked: the usage report's window and cluster, plus two thresholds. */
export interface ReviewQuery extends ReportQuery {
  /** Standing access unused for this long (seconds) is flagged. */
  unusedFor: number;
  /** Open grants started this long ago (seconds) or more are listed. */
  olderThan: number;
}

const DEFAULT_UNUSED_FOR = 30 * 86400;
const DEFAULT_OLDER_THAN = 7 * 86400;
/** Grants live hours, not years: a longer threshold is a typo, refused rather than empty. */
const MAX_OLDER_THAN = 366 * 86400;

/**
 * GET /v1/reports/review's query: `since` and `cluster` as the usage reports take them
 * (422 for a bad window, 404 for an unknown cluster), `unusedFor` within the window (use
 * older than the window is not known), `olderThan` from a minute to a year.
 */
export function parseReviewQuery(raw: Record<string, unknown>, config: Config, now: number): ReviewQuery {
  const { unusedFor, olderThan, ...rest } = raw;
  const query = parseReportQuery("review", rest, config, now);
  const unused =
    unusedFor === undefined ? Math.min(DEFAULT_UNUSED_FOR, query.since) : seconds("unusedFor", unusedFor);
  if (unused > query.since)
    throw invalid(
      "unusedFor",
      `must be at most the window (since, ${query.since}s): older use is not looked at`,
    );
  const older = olderThan === undefined ? DEFAULT_OLDER_THAN : seconds("olderThan", olderThan);
  if (older > MAX_OLDER_THAN) throw invalid("olderThan", "must be at most 366d");
  return { ...query, unusedFor: unused, olderThan: older };
}

function seconds(name: string, value: unknown): number {
  if (typeof value !== "string") throw invalid(name, "give it once, as a single value");
  const parsed = /^\d/.test(value) ? parseDuration(value) : undefined;
  if (parsed === undefined) throw invalid(name, "must be a duration such as 7d or 12h");
  if (parsed < 60) throw invalid(name, "must be at least 1m");
  return parsed;
}
