import { formatDuration } from "../../shared/duration.ts";

/** A kubectl-style table: upper-case headers, columns three spaces apart, "<none>" for blanks. */
export function table(headers: string[], rows: string[][]): string {
  const cells = [headers.map((h) => h.toUpperCase()), ...rows.map((row) => row.map((c) => c || "<none>"))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join("   ")
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join("");
}

/** "in 12m" or "3m ago", to the second; what people read in a table. */
export function relativeTime(iso: string, now: number): string {
  const ms = Date.parse(iso) - now;
  if (Number.isNaN(ms)) return iso;
  const span = formatDuration(Math.round(Math.abs(ms) / 1000));
  return ms >= 0 ? `in ${span}` : `${span} ago`;
}
