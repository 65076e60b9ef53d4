/**
 * How the console writes times: a countdown that changes every second, relative times
 * ("in 12m", "3h ago") and absolute ones in the browser's locale.
 */

const UNITS = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
] as const;

/**
 * Time left as "1h 05m 03s", "12m 05s" or "42s" (seconds shown below a day, so it visibly
 * ticks); a day or more as "2d 03h". Zero or less is "0s".
 */
export function formatTimeLeft(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  if (d > 0) return `${d}d ${two(h)}h`;
  if (h > 0) return `${h}h ${two(m)}m ${two(s)}s`;
  if (m > 0) return `${m}m ${two(s)}s`;
  return `${s}s`;
}

/** "in 12m", "3h ago", "now": the largest whole unit, rounded down. */
export function formatRelative(atMs: number, nowMs: number): string {
  const delta = atMs - nowMs;
  const size = Math.abs(delta);
  if (size < 1000) return "now";
  const [unit, ms] = UNITS.find(([, unitMs]) => size >= unitMs)!;
  const text = `${Math.floor(size / ms)}${unit}`;
  return delta > 0 ? `in ${text}` : `${text} ago`;
}

/** A date and time in the browser's locale (or the one given), to the minute. */
export function formatAbsolute(atMs: number, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(atMs);
}
