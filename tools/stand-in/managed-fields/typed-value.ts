/**
 * The operations structured-merge-diff performs on typed values (typed/tofieldset.go,
 * compare.go, merge.go, remove.go), over plain JSON and the schemas of ../schema: the set of
 * fields a value sets, what changed between two values, the merge of an applied configuration
 * into a live object (atomic lists and structs replaced, associative lists merged by key in the
 * order merge.go produces) and the removal of owned subtrees.
 */
import { clone, sameJson } from "../objects.ts";
import {
  fieldSchema,
  isDeclaredField,
  isPlainValue,
  type ListSchema,
  resolve,
  type Schema,
} from "../schema/schema.ts";
import { childPath, type FieldPath, type FieldSet, hasBelow } from "./field-paths.ts";

type JsonMap = Record<string, unknown>;

/** The path element of a list item: `v:<json>` in a set, `k:{…}` in an associative list. */
export function itemElement(list: ListSchema, item: unknown): string {
  if (list.listType === "set") return `v:${JSON.stringify(item)}`;
  const fields = isPlainValue(item) ? item : {};
  const keys = [...(list.keys ?? [])].sort().filter((key) => fields[key] !== undefined);
  return `k:${JSON.stringify(Object.fromEntries(keys.map((key) => [key, fields[key]])))}`;
}

const isEmptyMap = (value: unknown) => isPlainValue(value) && Object.keys(value).length === 0;

/** `TypedValue.ToFieldSet`. */
export function toFieldSet(value: unknown, schema: Schema): FieldSet {
  const out: FieldSet = new Set();
  const walk = (v: unknown, s0: Schema, path: FieldPath) => {
    const s = resolve(s0, v);
    if (s.kind === "scalar") out.add(path);
    else if (s.kind === "list") {
      if (s.listType === "atomic" || !Array.isArray(v)) {
        out.add(path);
        return;
      }
      for (const item of v) {
        const itemPath = childPath(path, itemElement(s, item));
        walk(item, s.items, itemPath);
        out.add(itemPath);
      }
    } else if (s.atomic || !isPlainValue(v)) out.add(path);
    else {
      for (const [key, inner] of Object.entries(v)) {
        const path2 = childPath(path, `f:${key}`);
        walk(inner, fieldSchema(s, key), path2);
        if (inner === null || isEmptyMap(inner) || !isDeclaredField(s, key)) out.add(path2);
      }
    }
  };
  walk(value, schema, "");
  out.delete("");
  return out;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

function itemsByElement(list: ListSchema, items: unknown[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const item of items) {
    const element = itemElement(list, item);
    if (!out.has(element)) out.set(element, item);
  }
  return out;
}

/** `TypedValue.Compare`: leaves that were added, modified or removed, and non-leaf nodes that appeared or went. */
export function compare(lhs: unknown, rhs: unknown, schema: Schema): Comparison {
  const c: Comparison = { added: new Set(), modified: new Set(), removed: new Set() };
  const walk = (l: unknown, r: unknown, s0: Schema, path: FieldPath) => {
    const leaf = () => {
      if (l === undefined && r === undefined) return;
      if (l === undefined) c.added.add(path);
      else if (r === undefined) c.removed.add(path);
      else if (!sameJson(l, r)) c.modified.add(path);
    };
    const nonLeaf = () => {
      if (path === "") return;
      if (l === undefined) c.added.add(path);
      else if (r === undefined) c.removed.add(path);
    };
    const s = resolve(s0, r !== undefined ? r : l);
    if (s.kind === "scalar") return leaf();
    if (s.kind === "list") {
      const la = Array.isArray(l) ? l : [];
      const ra = Array.isArray(r) ? r : [];
      const mismatched = (l != null && !Array.isArray(l)) || (r != null && !Array.isArray(r));
      if (s.listType === "atomic" || mismatched || (la.length === 0 && ra.length === 0)) return leaf();
      const lItems = itemsByElement(s, la);
      const rItems = itemsByElement(s, ra);
      for (const [element, item] of rItems)
        walk(lItems.get(element), item, s.items, childPath(path, element));
      for (const [element, item] of lItems)
        if (!rItems.has(element)) walk(item, undefined, s.items, childPath(path, element));
      return nonLeaf();
    }
    const lm = isPlainValue(l) ? l : {};
    const rm = isPlainValue(r) ? r : {};
    const mismatched = (l != null && !isPlainValue(l)) || (r != null && !isPlainValue(r));
    if (s.atomic || mismatched || (isEmptyMap(lm) && isEmptyMap(rm))) return leaf();
    for (const key of new Set([...Object.keys(lm), ...Object.keys(rm)])) {
      walk(lm[key], rm[key], fieldSchema(s, key), childPath(path, `f:${key}`));
    }
    return nonLeaf();
  };
  walk(lhs, rhs, schema, "");
  return c;
}

/** merge.go's visitListItems: live items keep their places, the configuration's order wins among shared ones. */
function mergeListItems(lhs: unknown[], rhs: unknown[], list: ListSchema): unknown[] {
  const lElements = lhs.map((item) => itemElement(list, item));
  const rElements = rhs.map((item) => itemElement(list, item));
  const observedL = itemsByElement(list, lhs);
  const observedR = itemsByElement(list, rhs);
  const sharedOrder = rElements.filter((element) => observedL.has(element));
  let nextShared = sharedOrder.shift();
  const mergedR = new Set<string>();
  const out: unknown[] = [];
  let l = 0;
  let r = 0;
  while (l < lhs.length || r < rhs.length) {
    const before = l + r;
    if (l < lhs.length && r < rhs.length) {
      const element = lElements[l]!;
      if (element === rElements[r]) {
        mergedR.add(element);
        out.push(mergeValue(observedL.get(element), observedR.get(element), list.items));
        l++;
        r++;
        nextShared = sharedOrder.shift();
        continue;
      }
      if (observedR.has(element) && nextShared !== undefined && nextShared !== element) {
        l++;
        continue;
      }
    }
    if (l < lhs.length) {
      const element = lElements[l]!;
      if (!observedR.has(element)) {
        out.push(clone(lhs[l]));
        l++;
        continue;
      }
      if (mergedR.has(element)) {
        l++;
        continue;
      }
    }
    if (r < rhs.length) {
      const element = rElements[r]!;
      mergedR.add(element);
      out.push(mergeValue(observedL.get(element), observedR.get(element), list.items));
      r++;
      if (nextShared === element) nextShared = sharedOrder.shift();
    }
    if (l + r === before) l++;
  }
  return out;
}

/** `TypedValue.Merge`: the applied configuration over the live value. */
export function mergeValue(live: unknown, config: unknown, schema: Schema): unknown {
  if (config === undefined) return clone(live);
  if (live === undefined || live === null || config === null) return clone(config);
  const s = resolve(schema, config);
  if (s.kind === "scalar") return clone(config);
  if (s.kind === "list") {
    if (s.listType === "atomic" || !Array.isArray(live) || !Array.isArray(config)) return clone(config);
    return mergeListItems(live, config, s);
  }
  if (s.atomic || !isPlainValue(live) || !isPlainValue(config)) return clone(config);
  const out: JsonMap = clone(live);
  for (const [key, value] of Object.entries(config)) {
    // An explicit null in an applied configuration leaves the field unset in the Go object.
    if (value === null) delete out[key];
    else out[key] = mergeValue(live[key], value, fieldSchema(s, key));
  }
  return out;
}

/** Removes the subtree at every path of `paths` (`TypedValue.RemoveItems`). */
export function removeSubtrees(
  value: unknown,
  paths: FieldSet,
  schema: Schema,
  path: FieldPath = "",
): unknown {
  const s = resolve(schema, value);
  if (s.kind === "list" && s.listType !== "atomic" && Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const itemPath = childPath(path, itemElement(s, item));
      if (paths.has(itemPath)) continue;
      out.push(hasBelow(paths, itemPath) ? removeSubtrees(item, paths, s.items, itemPath) : item);
    }
    return out;
  }
  if (s.kind === "map" && !s.atomic && isPlainValue(value)) {
    const out: JsonMap = {};
    for (const [key, inner] of Object.entries(value)) {
      const keyPath = childPath(path, `f:${key}`);
      if (paths.has(keyPath)) continue;
      out[key] = hasBelow(paths, keyPath)
        ? removeSubtrees(inner, paths, fieldSchema(s, key), keyPath)
        : inner;
    }
    return out;
  }
  return value;
}
