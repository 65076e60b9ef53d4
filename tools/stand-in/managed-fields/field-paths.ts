/**
 * Field paths and sets as structured-merge-diff writes them in `metadata.managedFields`: a path
 * is a list of elements `f:<field>`, `k:{"name":"x"}` (an item of a list keyed by fields),
 * `v:"x"` (an item of a set) or `i:<n>`; a set holds member paths and serializes to the
 * `fieldsV1` tree, where `".": {}` marks a member that also has members below it.
 */
import { isPlainObject } from "../objects.ts";
import { fieldSchema, isDeclaredField, type Schema } from "../schema/schema.ts";

/** Path elements joined by a separator no element contains. */
export type FieldPath = string;
export type FieldSet = Set<FieldPath>;

const SEP = "\u0000";

export const segmentsOf = (path: FieldPath): string[] => (path === "" ? [] : path.split(SEP));
export const childPath = (path: FieldPath, element: string): FieldPath =>
  path === "" ? element : `${path}${SEP}${element}`;
export const pathOf = (...elements: string[]): FieldPath => elements.join(SEP);
export const fieldPath = (...names: string[]): FieldPath => pathOf(...names.map((n) => `f:${n}`));

export function isWithin(path: FieldPath, prefix: FieldPath): boolean {
  return path === prefix || path.startsWith(`${prefix}${SEP}`);
}

export function hasBelow(set: FieldSet, prefix: FieldPath): boolean {
  for (const path of set) if (path.startsWith(`${prefix}${SEP}`)) return true;
  return false;
}

export const union = (...sets: FieldSet[]): FieldSet => new Set(sets.flatMap((s) => [...s]));
export const minus = (a: FieldSet, b: FieldSet): FieldSet => new Set([...a].filter((p) => !b.has(p)));
export const intersect = (a: FieldSet, b: FieldSet): FieldSet => new Set([...a].filter((p) => b.has(p)));

/** Drops every path at or under one of `roots` (the reset fields, the stripped metadata). */
export function without(set: FieldSet, roots: FieldPath[], exact: FieldPath[] = []): FieldSet {
  return new Set([...set].filter((p) => !roots.some((root) => isWithin(p, root)) && !exact.includes(p)));
}

function elementRank(element: string): number {
  return "fkvi".indexOf(element[0] ?? "f");
}

function compareElements(a: string, b: string): number {
  const rank = elementRank(a) - elementRank(b);
  if (rank !== 0) return rank;
  if (a[0] === "i") return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Node {
  member: boolean;
  children: Map<string, Node>;
}

/** The `fieldsV1` tree of a set. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const root: Node = { member: false, children: new Map() };
  for (const path of set) {
    let node = root;
    for (const element of segmentsOf(path)) {
      let child = node.children.get(element);
      if (!child) {
        child = { member: false, children: new Map() };
        node.children.set(element, child);
      }
      node = child;
    }
    node.member = true;
  }
  const render = (node: Node): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (node.member && node.children.size > 0) out["."] = {};
    for (const key of [...node.children.keys()].sort(compareElements))
      out[key] = render(node.children.get(key)!);
    return out;
  };
  return render(root);
}

/** The set a `fieldsV1` tree describes; throws on a malformed one. */
export function fromFieldsV1(tree: unknown, prefix: FieldPath = ""): FieldSet {
  if (!isPlainObject(tree)) throw new Error("fieldsV1 must be an object");
  const out: FieldSet = new Set();
  for (const [key, value] of Object.entries(tree)) {
    if (key === ".") {
      if (prefix !== "") out.add(prefix);
      continue;
    }
    if (!/^[fkvi]:/.test(key)) throw new Error(`unknown path element ${JSON.stringify(key)}`);
    const path = childPath(prefix, key);
    if (!isPlainObject(value)) throw new Error("fieldsV1 entries must be objects");
    if (Object.keys(value).length === 0) out.add(path);
    else for (const inner of fromFieldsV1(value, path)) out.add(inner);
  }
  return out;
}

/** `fieldpath.Path.String()`: `.spec.containers[name="web"].image`, `.metadata.finalizers[="x"]`. */
export function describePath(path: FieldPath): string {
  return segmentsOf(path)
    .map((element) => {
      const body = element.slice(2);
      switch (element[0]) {
        case "f":
          return `.${body}`;
        case "k": {
          const keys = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.entries(keys)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(",")}]`;
        }
        case "v":
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join("");
}

/** The schema at the end of a path (deduced past anything undescribed). */
function stepSchema(schema: Schema, element: string): Schema {
  if (schema.kind === "map" && element.startsWith("f:")) return fieldSchema(schema, element.slice(2));
  if (schema.kind === "list") return schema.items;
  return { kind: "deduced" };
}

/**
 * `Set.EnsureNamedFieldsAreMembers`: a declared struct field with members below it counts as a
 * member too, so pruning may remove it whole.
 */
export function withNamedFields(set: FieldSet, root: Schema): FieldSet {
  const out = new Set(set);
  for (const path of set) {
    let schema = root;
    let prefix: FieldPath = "";
    const elements = segmentsOf(path);
    elements.forEach((element, i) => {
      const declared =
        schema.kind === "map" && element.startsWith("f:") && isDeclaredField(schema, element.slice(2));
      prefix = childPath(prefix, element);
      if (declared && i < elements.length - 1) out.add(prefix);
      schema = stepSchema(schema, element);
    });
  }
  return out;
}
