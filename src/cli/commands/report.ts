import type { ParseArgsOptionsConfig } from "node:util";
import { BROKER_FLAGS, OUTPUT_FLAG } from "../args.ts";
import { UsageError } from "../cli-error.ts";
import type { CommandEntry } from "../commands.ts";
import type { CliContext } from "../context.ts";

/**
 * `kubectl broker report KIND`: each kind lives in cli/report/<kind>.ts and exports `usage`,
 * `run` and `flags` like a command; it is loaded only when called. To add one: write its
 * module, add one line here, and spread its flags into `flags` below (shell completion
 * offers them).
 */
const REPORTS: Record<string, CommandEntry> = {};

/** One synopsis per kind, with its flags (`report KIND --help` shows this whole text). */
export const usage = `kubectl broker report KIND [flags] [-o json|yaml]

${Object.entries(REPORTS)
  .map(([name, entry]) => `  ${name.padEnd(14)} ${entry.summary}`)
  .join("\n")}`;

/** Every report's flags, for completion; each report parses its own. */
export const flags = {
  ...BROKER_FLAGS,
  ...OUTPUT_FLAG,
} as const satisfies ParseArgsOptionsConfig;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const [kind, ...rest] = args;
  const entry = kind ? REPORTS[kind] : undefined;
  if (!entry) {
    const kinds = Object.keys(REPORTS).join(", ");
    throw new UsageError(`report needs one of ${kinds}${kind ? `, not "${kind}"` : ""}`);
  }
  const report = await entry.load();
  return report.run(rest, ctx);
}
