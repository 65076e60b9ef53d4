import { parseDuration } from "../shared/duration.ts";
import { UsageError } from "./cli-error.ts";

/** A duration flag (90s, 15m, 1h) in milliseconds; `fallback` when it was not given. */
export function durationFlag(value: string | undefined, flag: string, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const seconds = parseDuration(value);
  if (!seconds) throw new UsageError(`--${flag} must be a duration such as 90s, 15m or 1h, not "${value}"`);
  return seconds * 1000;
}
