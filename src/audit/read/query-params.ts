import { parseDuration } from "../../shared/duration.ts";
import { Invalid } from "../../shared/errors.ts";
import { type AuditCursor, parseCursor } from "../audit-cursor.ts";
import type { AuditFilter } from "./audit-query-store.ts";
import { FILTER_FIELDS } from "./audit-query-store.ts";

export interface AuditParams {
  filter: AuditFilter;
  since?: number;
  until?: number;
  after?: AuditCursor;
  order?: "asc" | "desc";
  limit?: number;
}

const CHOICES: Partial<Record<keyof AuditFilter, readonly string[]>> = {
  decision: ["allowed", "denied-by-broker", "denied-by-cluster", "error"],
  type: ["request", "lifecycle"],
  phase: ["start", "end"],
};
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
export const MAX_LIMIT = 1000;
export const CURSOR_HINT = "must be a cursor this API returned (a nextCursor or an event id)";
/** The latest time an RFC 3339 bound may name (its four-digit year allows no later). */
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Query parameters of the audit endpoints, checked one by one; a bad one is a 422 naming
 * it. Unknown names are refused too, so a typo (`users=`) is not silently ignored and the
 * caller does not get everyone's records thinking they filtered.
 */
export function parseAuditParams(
  query: Record<string, unknown>,
  allowed: readonly string[],
  now: number,
  shardCount: number,
): AuditParams {
  const params: AuditParams = { filter: {} };
  for (const [name, raw] of Object.entries(query)) {
    if (!allowed.includes(name)) throw invalid(name, `unknown query parameter; use ${allowed.join(", ")}`);
    if (typeof raw !== "string") throw invalid(name, "give it once, as a single value");
    if (raw === "") throw invalid(name, "must not be empty");
    readParam(params, name, raw, now, shardCount);
  }
  if (params.since !== undefined && params.until !== undefined && params.since > params.until) {
    throw invalid("since", "must not be later than until");
  }
  return params;
}

export const QUERY_PARAMS = [...FILTER_FIELDS, "since", "until", "after", "order", "limit"] as const;
export const STREAM_PARAMS = [...FILTER_FIELDS, "since", "after"] as const;

function readParam(params: AuditParams, name: string, value: string, now: number, shardCount: number): void {
  switch (name) {
    case "since":
    case "until":
      params[name] = parseTime(name, value, now);
      return;
    case "after": {
      const cursor = parseCursor(value, shardCount);
      if (!cursor) throw invalid(name, CURSOR_HINT);
      params.after = cursor;
      return;
    }
    case "order":
      if (value !== "asc" && value !== "desc") throw invalid(name, 'must be "asc" or "desc"');
      params.order = value;
      return;
    case "limit": {
      const limit = /^\d+$/.test(value) ? Number(value) : Number.NaN;
      if (!(limit >= 1 && limit <= MAX_LIMIT))
        throw invalid(name, `must be a whole number from 1 to ${MAX_LIMIT}`);
      params.limit = limit;
      return;
    }
    default: {
      const field = name as keyof AuditFilter;
      const choices = CHOICES[field];
      if (choices && !choices.includes(value)) throw invalid(name, `must be one of ${choices.join(", ")}`);
      params.filter[field] = value;
    }
  }
}

/**
 * "1h" (that long ago) or an RFC 3339 time, as milliseconds since the epoch. Stream IDs
 * start at 1970, so a time before it (or a duration reaching back past it) is refused
 * here: Redis would refuse the range, and the caller would get a 500 for their typo.
 */
export function parseTime(name: string, value: string, now: number): number {
  if (RFC3339.test(value)) {
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw invalid(name, "is not a real time");
    if (ms < 0 || ms > LATEST_MS) throw invalid(name, "must be a time from 1970 to 9999");
    return ms;
  }
  const seconds = /^\d/.test(value) ? parseDuration(value) : undefined;
  if (seconds === undefined)
    throw invalid(name, "must be a duration such as 15m or 1h (that long ago) or an RFC 3339 time");
  const ms = now - seconds * 1000;
  if (!Number.isSafeInteger(ms) || ms < 0) throw invalid(name, "must not reach back before 1970");
  return ms;
}

export function invalid(field: string, message: string): Invalid {
  return new Invalid(`query parameter "${field}": ${message}`, {
    details: { causes: [{ field, message, reason: "FieldValueInvalid" }] },
  });
}
