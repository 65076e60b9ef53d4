import { UsageError } from "../cli-error.ts";

/**
 * kubectl's JSONPath templates (`-o jsonpath=…`, kubernetes.io/docs/reference/kubectl/jsonpath):
 * literal text with expressions in braces, `{.items[*].id}`, `{range .items[*]}…{end}` and
 * quoted text such as `{"\n"}`. No npm package implements this template syntax (the JSONPath
 * libraries take one `$…` expression and none of range, end or the literal text), so this is
 * a small one, behaving as kubectl does by default: a missing field prints nothing
 * (--allow-missing-template-keys), the results of one expression are joined by spaces, strings
 * print bare, and objects and lists print as compact JSON.
 *
 * Expressions: `$` or `@` (optional), `.name` (`\.` for a dot inside a name), `['name']`,
 * `.*` and `[*]`, `..name` (recursive descent), `[i]` and negative `[-i]`, slices
 * `[start:end:step]`, unions `[0,2]` or `['a','b']`, and filters `[?(@.state=="active")]`
 * with ==, !=, <, <=, >, >= or a bare path (the field exists).
 */
export interface JsonPathTemplate {
  /** The text the template makes of `value`. */
  execute(value: unknown): string;
}

type Node =
  | { kind: "text"; text: string }
  | { kind: "expr"; path: Path }
  | { kind: "range"; path: Path; body: Node[] };

/** A path: where it starts, then steps that each map every current value to some values. */
interface Path {
  root: "$" | "@";
  steps: Step[];
}

type Step =
  | { kind: "field"; name: string }
  | { kind: "wildcard" }
  | { kind: "recursive" }
  | { kind: "index"; index: number }
  | { kind: "slice"; start: number | undefined; end: number | undefined; step: number }
  | { kind: "union"; steps: Step[] }
  | { kind: "filter"; filter: Filter };

interface Filter {
  left: Path;
  op: "==" | "!=" | "<" | "<=" | ">" | ">=" | undefined;
  right: Path | { literal: string | number | boolean | null } | undefined;
}

export function parseJsonPath(template: string): JsonPathTemplate {
  const nodes = parseTemplate(template);
  return {
    execute: (value) => run(nodes, value, value),
  };
}

class TemplateError extends UsageError {
  constructor(template: string, why: string) {
    super(`--output jsonpath template ${JSON.stringify(template)}: ${why}`);
  }
}

function parseTemplate(template: string): Node[] {
  const top: Node[] = [];
  const open: { body: Node[] }[] = [{ body: top }];
  let i = 0;
  while (i < template.length) {
    const brace = template.indexOf("{", i);
    const textEnd = brace < 0 ? template.length : brace;
    if (textEnd > i) open.at(-1)!.body.push({ kind: "text", text: template.slice(i, textEnd) });
    if (brace < 0) break;
    const close = closingBrace(template, brace);
    if (close < 0) throw new TemplateError(template, `unclosed "{" at ${brace}`);
    const action = template.slice(brace + 1, close).trim();
    i = close + 1;
    const body = open.at(-1)!.body;
    if (action === "end") {
      if (open.length === 1) throw new TemplateError(template, "{end} without a {range}");
      open.pop();
    } else if (/^range\s/.test(action)) {
      const node: Node = { kind: "range", path: parsePath(action.slice(5).trim(), template), body: [] };
      body.push(node);
      open.push(node);
    } else if (action.startsWith('"')) {
      body.push({ kind: "text", text: unquote(action, template) });
    } else {
      if (action === "") throw new TemplateError(template, "an empty {}");
      body.push({ kind: "expr", path: parsePath(action, template) });
    }
  }
  if (open.length > 1) throw new TemplateError(template, "{range} without an {end}");
  return top;
}

/** The index of the "}" closing the action opened at `from`, skipping quoted text. */
function closingBrace(text: string, from: number): number {
  let quote = "";
  for (let i = from + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "}") return i;
  }
  return -1;
}

function unquote(quoted: string, template: string): string {
  if (quoted.startsWith("'")) {
    if (!quoted.endsWith("'") || quoted.length < 2)
      throw new TemplateError(template, `bad quoted text ${quoted}`);
    return quoted.slice(1, -1);
  }
  try {
    const text: unknown = JSON.parse(quoted);
    if (typeof text === "string") return text;
  } catch {
    // Reported below.
  }
  throw new TemplateError(template, `bad quoted text ${quoted}`);
}

function parsePath(source: string, template: string): Path {
  const fail = (why: string): never => {
    throw new TemplateError(template, `${why} in "${source}"`);
  };
  let i = 0;
  let root: Path["root"] = "@";
  if (source[0] === "$" || source[0] === "@") {
    root = source[0];
    i = 1;
  }
  const steps: Step[] = [];
  while (i < source.length) {
    if (source.startsWith("..", i)) {
      steps.push({ kind: "recursive" });
      i += 2;
      if (source[i] === "[") continue;
      i = readName(source, i, steps, fail);
    } else if (source[i] === ".") {
      i = readName(source, i + 1, steps, fail);
    } else if (source[i] === "[") {
      const close = closingBracket(source, i);
      if (close < 0) fail('an unclosed "["');
      steps.push(bracket(source.slice(i + 1, close).trim(), fail, template));
      i = close + 1;
    } else {
      fail(`unexpected "${source[i]}"`);
    }
  }
  return { root, steps };
}

/** `.name` or `.*` after the dot at `from`; returns where the name ends. */
function readName(source: string, from: number, steps: Step[], fail: (why: string) => never): number {
  if (source[from] === "*") {
    steps.push({ kind: "wildcard" });
    return from + 1;
  }
  let name = "";
  let i = from;
  for (; i < source.length && source[i] !== "." && source[i] !== "["; i++) {
    if (source[i] === "\\" && i + 1 < source.length) i++;
    name += source[i];
  }
  if (name === "") {
    // A lone "." (or "$." / "@."): the current value itself.
    if (i >= source.length) return i;
    fail("a field name is missing");
  }
  steps.push({ kind: "field", name: name.trim() });
  return i;
}

function closingBracket(source: string, from: number): number {
  let depth = 0;
  let quote = "";
  for (let i = from; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "(") depth++;
    else if (c === "]" || c === ")") {
      depth--;
      if (depth === 0) return c === "]" ? i : -1;
    }
  }
  return -1;
}

function bracket(inside: string, fail: (why: string) => never, template: string): Step {
  if (inside === "*") return { kind: "wildcard" };
  if (inside.startsWith("?")) {
    const filter = /^\?\s*\((.*)\)$/s.exec(inside);
    if (!filter) return fail(`a filter must look like [?(@.field=="value")], not [${inside}]`);
    return { kind: "filter", filter: parseFilter(filter[1]!.trim(), fail, template) };
  }
  const parts = splitOutsideQuotes(inside, ",").map((part) => part.trim());
  const steps = parts.map((part): Step => {
    if (part.startsWith("'") || part.startsWith('"')) return { kind: "field", name: unquote(part, template) };
    if (part.includes(":")) {
      const [start, end, step, extra] = part.split(":").map((n) => n.trim());
      if (extra !== undefined) fail(`a bad slice [${part}]`);
      const number = (n: string | undefined) => (n === undefined || n === "" ? undefined : integer(n, fail));
      const by = number(step) ?? 1;
      if (by === 0) fail("a slice step of 0");
      return { kind: "slice", start: number(start), end: number(end), step: by };
    }
    return { kind: "index", index: integer(part, fail) };
  });
  return steps.length === 1 ? steps[0]! : { kind: "union", steps };
}

function integer(text: string, fail: (why: string) => never): number {
  if (!/^-?\d+$/.test(text)) fail(`"${text}" is not an index`);
  return Number(text);
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let quote = "";
  let part = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\") part += c + (text[++i] ?? "");
      else {
        if (c === quote) quote = "";
        part += c;
      }
    } else if (c === '"' || c === "'") {
      quote = c;
      part += c;
    } else if (c === separator) {
      parts.push(part);
      part = "";
    } else part += c;
  }
  parts.push(part);
  return parts;
}

const OPERATORS = ["==", "!=", "<=", ">=", "<", ">"] as const;

function parseFilter(text: string, fail: (why: string) => never, template: string): Filter {
  let at = -1;
  let op: Filter["op"];
  let quote = "";
  for (let i = 0; i < text.length && at < 0; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else {
      op = OPERATORS.find((candidate) => text.startsWith(candidate, i));
      if (op) at = i;
    }
  }
  const left = at < 0 ? text : text.slice(0, at).trim();
  if (!left.startsWith("@")) fail(`a filter compares a field of @, not "${left}"`);
  if (at < 0 || !op) return { left: parsePath(left, template), op: undefined, right: undefined };
  const rightText = text.slice(at + op.length).trim();
  let right: Filter["right"];
  if (rightText.startsWith("@") || rightText.startsWith("$")) right = parsePath(rightText, template);
  else if (rightText.startsWith('"') || rightText.startsWith("'"))
    right = { literal: unquote(rightText, template) };
  else if (/^-?\d+(\.\d+)?$/.test(rightText)) right = { literal: Number(rightText) };
  else if (rightText === "true" || rightText === "false") right = { literal: rightText === "true" };
  else if (rightText === "null") right = { literal: null };
  else return fail(`"${rightText}" is neither a path, a quoted string nor a number`);
  return { left: parsePath(left, template), op, right };
}

// Evaluation.

function run(nodes: Node[], root: unknown, current: unknown): string {
  let out = "";
  for (const node of nodes) {
    if (node.kind === "text") out += node.text;
    else if (node.kind === "expr") out += evaluate(node.path, root, current).map(print).join(" ");
    else for (const item of evaluate(node.path, root, current)) out += run(node.body, root, item);
  }
  return out;
}

function evaluate(path: Path, root: unknown, current: unknown): unknown[] {
  let values = [path.root === "$" ? root : current];
  for (const step of path.steps) values = values.flatMap((value) => apply(step, value, root));
  return values;
}

function apply(step: Step, value: unknown, root: unknown): unknown[] {
  switch (step.kind) {
    case "field":
      return isObject(value) && Object.hasOwn(value, step.name) ? [value[step.name]] : [];
    case "wildcard":
      return Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
    case "recursive":
      return descendants(value);
    case "index": {
      if (!Array.isArray(value)) return [];
      const index = step.index < 0 ? value.length + step.index : step.index;
      return index >= 0 && index < value.length ? [value[index]] : [];
    }
    case "slice":
      return Array.isArray(value) ? slice(value, step) : [];
    case "union":
      return step.steps.flatMap((inner) => apply(inner, value, root));
    case "filter":
      return (Array.isArray(value) ? value : []).filter((item) => matches(step.filter, item, root));
  }
}

function slice(list: unknown[], step: { start: number | undefined; end: number | undefined; step: number }) {
  const clamp = (n: number) => Math.min(list.length, Math.max(0, n < 0 ? list.length + n : n));
  const out: unknown[] = [];
  if (step.step > 0) {
    for (let i = clamp(step.start ?? 0); i < clamp(step.end ?? list.length); i += step.step)
      out.push(list[i]);
  } else {
    const start = step.start === undefined ? list.length - 1 : clamp(step.start);
    const end = step.end === undefined ? -1 : clamp(step.end);
    const back = -step.step;
    for (let i = Math.min(start, list.length - 1); i > end; i -= back) out.push(list[i]);
  }
  return out;
}

function descendants(value: unknown): unknown[] {
  const children = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
  return [value, ...children.flatMap(descendants)];
}

function matches(filter: Filter, item: unknown, root: unknown): boolean {
  const left = evaluate(filter.left, root, item);
  if (!filter.op || !filter.right) return left.length > 0 && left[0] !== null && left[0] !== false;
  const right = "literal" in filter.right ? [filter.right.literal] : evaluate(filter.right, root, item);
  if (left.length === 0 || right.length === 0) return false;
  return compare(left[0], filter.op, right[0]);
}

function compare(a: unknown, op: NonNullable<Filter["op"]>, b: unknown): boolean {
  const numbers = typeof a === "number" && typeof b === "number";
  const x = numbers ? a : print(a);
  const y = numbers ? b : print(b);
  switch (op) {
    case "==":
      return x === y;
    case "!=":
      return x !== y;
    case "<":
      return x < y;
    case "<=":
      return x <= y;
    case ">":
      return x > y;
    case ">=":
      return x >= y;
  }
}

function print(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
