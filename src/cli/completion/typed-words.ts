import type { ParseArgsOptionsConfig } from "node:util";

/**
 * The words typed after a command's name, read the way parseArgs (args.ts) will read them, to
 * tell what the last one (the word being completed, possibly "") is: a flag's name, a flag's
 * value, or an argument. Mistakes are no error here: whatever is typed gets some answer.
 */
export type Completing =
  /** A flag's name: the word starts with "-". */
  | { kind: "flag" }
  /** A flag's value; `inline` is "--flag=" when the value is typed in the same word. */
  | { kind: "value"; flag: string; inline: string }
  /** The argument at `index` (0 for the first). */
  | { kind: "argument"; index: number };

export interface TypedWords {
  completing: Completing;
  /** The word being completed, without an inline "--flag=". */
  current: string;
  /** The flags given before it, by long name: their values ("" for a boolean). */
  given: Map<string, string[]>;
}

export function readWords(words: readonly string[], flags: ParseArgsOptionsConfig): TypedWords {
  const typed = words.slice(0, -1);
  const last = words.at(-1) ?? "";
  const byShort = new Map(
    Object.entries(flags).flatMap(([name, option]) => (option.short ? [[option.short, name] as const] : [])),
  );
  const given = new Map<string, string[]>();
  const give = (name: string, value: string) => given.set(name, [...(given.get(name) ?? []), value]);
  let awaiting: string | undefined;
  let positionals = 0;
  let onlyArguments = false;
  for (const word of typed) {
    if (awaiting !== undefined) {
      give(awaiting, word);
      awaiting = undefined;
    } else if (onlyArguments || word === "-" || !word.startsWith("-")) {
      positionals++;
    } else if (word === "--") {
      onlyArguments = true;
    } else if (word.startsWith("--")) {
      const eq = word.indexOf("=");
      const name = word.slice(2, eq < 0 ? undefined : eq);
      if (eq >= 0) give(name, word.slice(eq + 1));
      else if (flags[name]?.type === "string") awaiting = name;
      else give(name, "");
    } else {
      // -n team-a, -nteam-a, or booleans grouped (-ab).
      for (let i = 1; i < word.length; i++) {
        const name = byShort.get(word[i]!) ?? word[i]!;
        if (flags[name]?.type !== "string") {
          give(name, "");
          continue;
        }
        if (i + 1 < word.length) give(name, word.slice(i + 1));
        else awaiting = name;
        break;
      }
    }
  }
  if (awaiting !== undefined)
    return { completing: { kind: "value", flag: awaiting, inline: "" }, current: last, given };
  if (!onlyArguments && last.startsWith("--") && last.includes("=")) {
    const eq = last.indexOf("=");
    const flag = last.slice(2, eq);
    if (flags[flag]?.type === "string")
      return {
        completing: { kind: "value", flag, inline: last.slice(0, eq + 1) },
        current: last.slice(eq + 1),
        given,
      };
  }
  if (!onlyArguments && last.startsWith("-")) return { completing: { kind: "flag" }, current: last, given };
  return { completing: { kind: "argument", index: positionals }, current: last, given };
}
