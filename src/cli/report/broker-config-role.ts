import { readFileSync, statSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { type Document, isMap, isSeq, parse, parseDocument, stringify, type YAMLSeq } from "yaml";
import type { BrokerRoleEntry } from "../../reports/index.ts";
import { writeFileAtomic } from "../cache/cache-files.ts";
import { CliError } from "../cli-error.ts";

/**
 * Adds a suggested role to a broker config file (the copy an operator keeps in Git and
 * deploys; the CLI cannot reach the running broker's). It refuses, changing nothing, when the
 * file is not a broker config or already has a role of that name.
 */
export function addRoleToConfig(path: string, role: BrokerRoleEntry): void {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new CliError(
      `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? "error"}); nothing was changed`,
    );
  }
  const doc = parseDocument(text);
  if (doc.errors.length)
    throw new CliError(
      `${path} is not valid YAML (${doc.errors[0]!.message.split("\n")[0]}); nothing was changed`,
    );
  const roles = isMap(doc.contents) ? doc.get("roles") : undefined;
  if (!isSeq(roles))
    throw new CliError(`${path} has no roles: list, so it is not a broker config; nothing was changed`);
  if (roles.items.some((item) => isMap(item) && item.get("name") === role.name))
    throw new CliError(`${path} already has a role named "${role.name}"; choose another with --name`);
  writeFileAtomic(path, withRole(text, doc, roles, role), statSync(path).mode & 0o777);
}

/**
 * The file's text with the role appended to its roles list. People's config files have
 * comments and their own layout, which re-serialising would rewrite, so the entry is inserted
 * as text after the last role, indented like it; the result is parsed again and must equal
 * the old config plus the role, else the document is re-serialised instead.
 */
function withRole(text: string, doc: Document, roles: YAMLSeq, role: BrokerRoleEntry): string {
  const expected = doc.toJS() as { roles: unknown[] };
  expected.roles = [...expected.roles, { ...role }];
  const last = roles.items.at(-1) as { range?: [number, number, number] } | undefined;
  if (!roles.flow && last?.range) {
    const end = last.range[1];
    const lineStart = text.lastIndexOf("\n", (roles.items[0] as { range: number[] }).range[0]!) + 1;
    const indent = " ".repeat(text.slice(lineStart).search(/-/));
    const entry = stringify([{ ...role }])
      .trimEnd()
      .split("\n")
      .map((line) => indent + line)
      .join("\n");
    const lineEnd = text.indexOf("\n", end - 1);
    const at = lineEnd < 0 ? text.length : lineEnd;
    const edited = `${text.slice(0, at)}\n${entry}${text.slice(at)}`;
    if (isDeepStrictEqual(parse(edited), expected)) return edited;
  }
  roles.add(doc.createNode({ ...role }));
  return doc.toString({ flowCollectionPadding: false });
}
