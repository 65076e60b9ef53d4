import { stringify } from "yaml";
import { UsageError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { type JsonPathTemplate, parseJsonPath } from "./jsonpath.ts";

/**
 * -o/--output, read as kubectl reads it, for every command that prints a list or an object:
 * left out for the table (or text) meant for people, `wide` for a table with more columns,
 * `json` (2-space indented), `yaml`, `name` (`<kind>/<id>` per line, like kubectl's
 * `pod/web-1`) or `jsonpath=TEMPLATE` (jsonpath.ts).
 */
export type OutputFormat =
  | { kind: "table"; wide: boolean }
  | { kind: "json" }
  | { kind: "yaml" }
  | { kind: "name" }
  | { kind: "jsonpath"; template: JsonPathTemplate };

export type OutputChoice = "json" | "yaml" | "name" | "jsonpath" | "wide";

export const ALL_OUTPUTS: readonly OutputChoice[] = ["json", "yaml", "name", "jsonpath", "wide"];

/**
 * Reads --output. `choices` narrows what a command takes (version: json and yaml, like
 * kubectl version); anything else is a usage error (exit 2) that lists the valid ones.
 */
export function outputFormat(
  value: string | undefined,
  choices: readonly OutputChoice[] = ALL_OUTPUTS,
  byDefault = "a table",
): OutputFormat {
  if (value === undefined) return { kind: "table", wide: false };
  const [name, ...rest] = value.split("=");
  const choice = choices.find((c) => c === name);
  if (choice === "jsonpath") {
    const template = rest.join("=");
    if (template === "")
      throw new UsageError(`--output jsonpath needs a template: -o jsonpath='{.items[*].id}'`);
    return { kind: "jsonpath", template: parseJsonPath(template) };
  }
  if (choice && rest.length === 0)
    return choice === "wide" ? { kind: "table", wide: true } : { kind: choice };
  const valid = choices.map((c) => (c === "jsonpath" ? "jsonpath=TEMPLATE" : c)).join(", ");
  throw new UsageError(`--output must be one of ${valid} (or left out for ${byDefault}), not "${value}"`);
}

/** What a command has to show, in every form -o may ask for. */
export interface Printable {
  /** What json, yaml and jsonpath render: the API's object, or `{ items }` for a list. */
  value: unknown;
  /** `<kind>/<id>` of each object, for -o name. */
  names: string[];
  /** The text for people: a table, with more columns when wide. */
  text(wide: boolean): string;
  /** Said on stderr instead of an empty table ("No grants."). */
  empty?: string;
}

export function render(format: OutputFormat, printable: Printable): string {
  switch (format.kind) {
    case "table":
      return printable.text(format.wide);
    case "json":
      return json(printable.value);
    case "yaml":
      return yaml(printable.value);
    case "name":
      return printable.names.map((name) => `${name}\n`).join("");
    case "jsonpath":
      // Like kubectl: exactly what the template says, no newline added.
      return format.template.execute(printable.value);
  }
}

/** Prints to stdout; an empty table becomes a line for people on stderr. */
export async function print(
  ctx: Pick<CliContext, "out" | "say">,
  format: OutputFormat,
  printable: Printable,
): Promise<void> {
  if (format.kind === "table" && printable.empty !== undefined && printable.names.length === 0) {
    ctx.say(printable.empty);
    return;
  }
  const text = render(format, printable);
  if (text !== "") await ctx.out(text);
}

/**
 * One record of a stream (the audit trail), so that each is printed as it comes: json is one
 * line per record (JSON lines), yaml one document each, name and jsonpath per record.
 */
export function renderStreamed(format: OutputFormat, record: unknown, name: string, line: string): string {
  switch (format.kind) {
    case "table":
      return `${line}\n`;
    case "json":
      return `${JSON.stringify(record)}\n`;
    case "yaml":
      return `---\n${yaml(record)}`;
    case "name":
      return `${name}\n`;
    case "jsonpath":
      return format.template.execute(record);
  }
}

/** JSON for scripts: one document, indented like kubectl -o json. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** YAML for people and files: one document, lines never folded. */
export function yaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}
