/**
 * `npm run lint`, after Biome: the import graph's rules, which Biome cannot express.
 *
 * - src/ is what ships: it imports nothing from test/, tools/ or scripts/.
 * - tools/ are the stand-ins the tests, the demo and docker-compose run: they import only tools/,
 *   so a change to the product or to a test cannot break them.
 * - A feature, a folder under src/ with an index.ts, is entered only through that index.ts, so its
 *   insides can change without touching the rest. src/shared, src/http and src/config are the
 *   libraries every file may use; they sit below the features and import none.
 * - src/cli, the kubectl plugin, is bundled on its own and started by kubectl on every request: it
 *   takes only types from features (erased from the bundle), and nothing else in src/ imports it.
 * - test/ and scripts/ may import anything: tests reach internals on purpose.
 *
 * Only relative specifiers are checked. `node scripts/check-imports.ts` prints `path:line: message`
 * per violation to stderr and exits 1.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";

export interface Violation {
  file: string;
  line: number;
  message: string;
}

interface Import {
  target: string;
  line: number;
  typeOnly: boolean;
}

const LIBRARIES = ["src/shared", "src/http", "src/config"];
const CLI = "src/cli";
const CHECKED = ["src", "test", "tools", "scripts"];
/** Not code: src/cli reads the version from it, and the bundle inlines it. */
const DATA_FILES = new Set(["package.json"]);

const STATIC = /(?<![\w$.])(import|export)(\s+type\b)?([\w$\s{},*]*?)\bfrom\s*(["'])([^"'\n]*)\4/g;
const SIDE_EFFECT = /(?<![\w$.])import\s*(["'])([^"'\n]*)\1/g;
const DYNAMIC = /(?<![\w$.])import\s*\(\s*(["'`])([^"'`\n]*)\1/g;

const inside = (file: string, folder: string) => file.startsWith(`${folder}/`);

/** The source with comments blanked out (newlines kept, so offsets and line numbers still match). */
function stripComments(source: string): string {
  let out = "";
  let quote = ""; // the open string's quote, if any
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (quote) {
      if (c === "\\") {
        out += c + (source[++i] ?? "");
        continue;
      }
      if (c === quote || (c === "\n" && quote !== "`")) quote = "";
    } else if (c === "/" && (source[i + 1] === "/" || source[i + 1] === "*")) {
      const lineComment = source[i + 1] === "/";
      const close = source.indexOf(lineComment ? "\n" : "*/", i + 2);
      const end = close === -1 ? source.length : lineComment ? close : close + 2;
      out += source.slice(i, end).replace(/[^\n]/g, " ");
      i = end - 1;
      continue;
    } else if (c === "\\") {
      out += c + (source[++i] ?? ""); // outside strings only in regex literals: `\/` is no comment
      continue;
    } else if (c === '"' || c === "'" || c === "`") {
      quote = c;
    }
    out += c;
  }
  return out;
}

/** `import { type A, type B } from` is as type-only as `import type { A, B } from`. */
function allNamesAreTypes(clause: string): boolean {
  const names = /^\s*\{([^}]*)\}\s*$/
    .exec(clause)?.[1]
    ?.split(",")
    .map((name) => name.trim());
  const named = names?.filter(Boolean) ?? [];
  return named.length > 0 && named.every((name) => /^type\s/.test(name));
}

function importsOf(file: string, source: string): Import[] {
  const code = stripComments(source);
  const found: { index: number; spec: string; typeOnly: boolean }[] = [];
  for (const m of code.matchAll(STATIC)) {
    found.push({ index: m.index, spec: m[5]!, typeOnly: Boolean(m[2]) || allNamesAreTypes(m[3]!) });
  }
  for (const m of code.matchAll(SIDE_EFFECT)) found.push({ index: m.index, spec: m[2]!, typeOnly: false });
  for (const m of code.matchAll(DYNAMIC)) found.push({ index: m.index, spec: m[2]!, typeOnly: false });
  return found
    .filter(({ spec }) => (spec.startsWith("./") || spec.startsWith("../")) && !spec.includes("${"))
    .sort((a, b) => a.index - b.index)
    .map(({ index, spec, typeOnly }) => ({
      target: posix.normalize(posix.join(posix.dirname(file), spec)),
      line: code.slice(0, index).split("\n").length,
      typeOnly,
    }));
}

/** Folders under src/ with an index.ts, outside the libraries and src/cli; deepest first. */
function featureFolders(files: string[]): string[] {
  return files
    .filter((file) => inside(file, "src") && posix.basename(file) === "index.ts")
    .map((file) => posix.dirname(file))
    .filter(
      (folder) => folder !== "src" && ![...LIBRARIES, CLI].some((l) => folder === l || inside(folder, l)),
    )
    .sort((a, b) => b.length - a.length);
}

/** The message for an import of `to` from `from`, if it breaks a rule. */
function violation(from: string, { target: to, typeOnly }: Import, features: string[]): string | undefined {
  if (inside(from, "tools")) {
    return inside(to, "tools")
      ? undefined
      : `imports ${to}; tools/ import only tools/ (they stand alone for the tests, the demo and docker-compose): copy what is needed into tools/`;
  }
  if (!inside(from, "src") || DATA_FILES.has(to)) return undefined;
  if (!inside(to, "src")) {
    return `imports ${to}; src/ imports only src/ (production code must not depend on test or development code): move what is needed into src/`;
  }
  if (inside(to, CLI) && !inside(from, CLI)) {
    return `imports ${to}; nothing outside src/cli imports the kubectl plugin: move what is shared into src/shared`;
  }
  const feature = features.find((folder) => inside(to, folder));
  if (!feature) return undefined;
  const index = `${feature}/index.ts`;
  const library = LIBRARIES.find((folder) => inside(from, folder));
  if (library) {
    return `imports ${to}; ${library} is a library below the features and imports none: move the code into the library, or have the feature pass it in`;
  }
  if (inside(from, CLI) && !typeOnly) {
    return `imports ${to} as a value; src/cli takes only types from features (erased from the plugin bundle): use \`import type\` from ${index}, or move the code into src/shared`;
  }
  if (!inside(from, feature) && to !== index) return `reaches into ${to}; import ${index} instead`;
  return undefined;
}

/** The import rules' violations in `files` (paths relative to `root`, as git lists them). */
export function checkImports(root: string, files: string[]): Violation[] {
  const features = featureFolders(files);
  return files.flatMap((file) =>
    importsOf(file, readFileSync(join(root, file), "utf8")).flatMap((imported) => {
      const message = violation(file, imported, features);
      return message ? [{ file, line: imported.line, message }] : [];
    }),
  );
}

if (import.meta.main) {
  const git = (...args: string[]) => execFileSync("git", args, { encoding: "utf8" }).trim();
  const root = git("rev-parse", "--show-toplevel");
  const listed = git("-C", root, "ls-files", "-co", "--exclude-standard", "--", ...CHECKED);
  const exists = (file: string) => file.endsWith(".ts") && existsSync(join(root, file));
  const files = [...new Set(listed.split("\n"))].filter(exists);
  const violations = checkImports(root, files);
  for (const { file, line, message } of violations) process.stderr.write(`${file}:${line}: ${message}\n`);
  process.exitCode = violations.length > 0 ? 1 : 0;
}
