import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { UsageError } from "./cli-error.ts";

/**
 * Flag parsing for every command: node:util's parseArgs in strict mode, its complaints turned
 * into one-line usage errors. Commands declare their flags with the shared groups below.
 */
export const BROKER_FLAGS = {
  server: { type: "string" },
  "certificate-authority": { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

/** -o/--output: read by output/output-format.ts. */
export const OUTPUT_FLAG = {
  output: { type: "string", short: "o" },
} as const satisfies ParseArgsOptionsConfig;

export function parseFlags<const T extends ParseArgsOptionsConfig>(
  args: string[],
  options: T,
  maxPositionals = 0,
) {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(firstSentence(err));
  }
  const extra = parsed.positionals[maxPositionals];
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
  return parsed;
}

export function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === "") throw new UsageError(`--${flag} is required`);
  return value;
}

/**
 * parseArgs explains itself in a sentence or two; the first one says what was wrong, except
 * for a value that starts with a dash (`--since -5d`), where the useful part is the last.
 */
function firstSentence(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const ambiguous = /^Option '(-[^']+)' argument is ambiguous/.exec(message);
  if (ambiguous) return `${ambiguous[1]} needs a value; one starting with "-" is written ${ambiguous[1]}=-…`;
  return message.split(/\.\s/)[0]!.replace(/\.$/, "");
}
