/** What every benchmark prints: a short table, then one machine-readable line. */
export interface Row {
  what: string;
  p50: string;
  p99?: string;
  target?: string;
  ratio?: string;
}

const HEADER: Row = { what: "what", p50: "p50", p99: "p99", target: "target", ratio: "ratio" };

/** `header` names the columns where they hold something other than percentiles. */
export function printTable(title: string, rows: Row[], header: Row = HEADER): void {
  const cells = [header, ...rows].map((r) => [r.what, r.p50, r.p99 ?? "", r.target ?? "", r.ratio ?? ""]);
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  console.log(`\n${title}`);
  for (const [index, row] of cells.entries()) {
    console.log(
      `  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ")}`,
    );
    if (index === 0) console.log(`  ${widths.map((w) => "-".repeat(w)).join("  ")}`);
  }
}

/** `RESULT <name> <json>`: the line a runner or the README picks figures up from. */
export function printResult(name: string, figures: Record<string, unknown>): void {
  console.log(`RESULT ${name} ${JSON.stringify(figures)}`);
}

export const ms = (value: number) => `${value.toFixed(2)} ms`;
export const times = (value: number) => `${value.toFixed(2)}×`;
export const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
