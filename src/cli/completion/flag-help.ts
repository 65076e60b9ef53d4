import type { ParseArgsOptionsConfig } from "node:util";

/**
 * What a command's usage text says of each of its flags, by long name: the descriptions zsh
 * and fish show beside flags. A usage line describes flags when it starts with them, their
 * placeholders in capitals (`--cluster C`) or their values joined by `|`, and then, two
 * spaces on, says what they do; only its first line is taken, a parenthesis it leaves open
 * cut off.
 */
export function flagHelp(usage: string, flags: ParseArgsOptionsConfig): Map<string, string> {
  const byShort = new Map(
    Object.entries(flags).flatMap(([name, option]) => (option.short ? [[option.short, name] as const] : [])),
  );
  const help = new Map<string, string>();
  for (const line of usage.split("\n")) {
    const match = /^\s+(-\S.*?)\s{2,}(\S.*)$/.exec(line);
    if (!match) continue;
    const names = flagNames(match[1]!, byShort);
    if (!names) continue;
    for (const name of names) if (!help.has(name)) help.set(name, firstClause(match[2]!));
  }
  return help;
}

/** The long names a usage line's head names, or undefined when it is not a list of flags. */
function flagNames(head: string, byShort: Map<string, string>): string[] | undefined {
  const names: string[] = [];
  for (const token of head.split(/[\s,]+/).filter(Boolean)) {
    const flag = /^(?:-([a-zA-Z])\/)?--([a-z][a-z-]*)$|^-([a-zA-Z])$/.exec(token);
    if (flag) {
      const name = flag[2] ?? byShort.get(flag[3]!);
      if (name) names.push(name);
    } else if (!/^[A-Z][A-Z_]*$/.test(token) && !token.includes("|")) {
      return undefined;
    }
  }
  return names.length ? names : undefined;
}

function firstClause(text: string): string {
  const open = text.lastIndexOf("(");
  const cut = open >= 0 && text.indexOf(")", open) < 0 ? text.slice(0, open) : text;
  return cut.replace(/[\s,;:]+$/, "");
}
