/**
 * The list helpers of strategic merge patch (apimachinery's strategicpatch): what the elements
 * of a merging list are, and the order the merged list comes out in ($setElementOrder first,
 * then the patch's order, then the live object's). Membership is what the guard judges; the
 * order is ported too, with Go's insertion sort where its comparator is not a strict order.
 */
import { BadRequest } from "../../shared/errors.ts";
import { has, isObject, type JsonObject, own, shown } from "./json-values.ts";

export type ElementKind = "map" | "string" | "number" | "boolean";

export const DIRECTIVE = "$patch";

export const unreadable = (what: string) => new BadRequest(`the strategic merge patch ${what}`);

/** sliceElementType: every element of every list is of one type, and none is a list. */
export function elementKind(...lists: unknown[][]): ElementKind {
  let kind: ElementKind | undefined;
  for (const list of lists) {
    for (const item of list) {
      if (Array.isArray(item)) throw unreadable("holds a list of lists, which the API server cannot merge");
      if (item === null) throw unreadable("holds null in a list the API server merges");
      const itemKind = isObject(item) ? "map" : (typeof item as ElementKind);
      if (kind && kind !== itemKind) throw unreadable(`mixes ${kind} and ${itemKind} elements in one list`);
      kind = itemKind;
    }
  }
  if (!kind) throw unreadable("orders a list that is empty in both the object and the patch");
  return kind;
}

/** A key under which Go's == on interface values finds two scalars equal. */
export function scalarKey(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return `s:${value}`;
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value}:${value}`;
  throw unreadable(`compares ${shown(value)} where the API server compares scalars (and fails)`);
}

/** What index() compares: a map's merge key value, or the element itself. */
const comparedValue = (item: unknown, mergeKey: string, kind: ElementKind) =>
  kind === "map" ? (isObject(item) ? own(item, mergeKey) : undefined) : item;

function indexer(list: unknown[], mergeKey: string, kind: ElementKind): (item: unknown) => number {
  const first = new Map<string, number>();
  list.forEach((item, i) => {
    const key = scalarKey(comparedValue(item, mergeKey, kind));
    if (!first.has(key)) first.set(key, i);
  });
  return (item) => first.get(scalarKey(comparedValue(item, mergeKey, kind))) ?? -1;
}

/** partitionPrimitivesByPresentInList / partitionMapsByPresentInList. */
export function partition(merged: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  if (mergeKey !== "") {
    for (const item of [...merged, ...by]) {
      if (!isObject(item)) throw unreadable(`has ${shown(item)} where a list of objects is merged`);
    }
    for (const item of merged) {
      if (!has(item as JsonObject, mergeKey))
        throw unreadable(`has a list item without its merge key ${mergeKey}`);
    }
  }
  const kind = mergeKey === "" ? "string" : "map";
  if (mergeKey === "") for (const item of [...merged, ...by]) scalarKey(item);
  // findMapInSliceBasedOnKeyValue matches only items that have the merge key at all.
  const named = mergeKey === "" ? by : by.filter((item) => has(item as JsonObject, mergeKey));
  const present = new Set(named.map((item) => scalarKey(comparedValue(item, mergeKey, kind))));
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const item of merged) {
    (present.has(scalarKey(comparedValue(item, mergeKey, kind))) ? inPatch : serverOnly).push(item);
  }
  return [inPatch, serverOnly];
}

/** normalizeElementOrder: each part sorted by its order, then the two interleaved by the live order. */
export function normalizeElementOrder(
  patch: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const sortedPatch = sortByOrder(patch, patchOrder, mergeKey, kind);
  const sortedServer = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  const live = indexer(serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < sortedServer.length || j < sortedPatch.length) {
    if (j >= sortedPatch.length) out.push(sortedServer[i++]);
    else if (i >= sortedServer.length) out.push(sortedPatch[j++]);
    else {
      const left = live(sortedServer[i]);
      const right = live(sortedPatch[j]);
      out.push(left >= 0 && right >= 0 && left < right ? sortedServer[i++] : sortedPatch[j++]);
    }
  }
  return out;
}

/** normalizeSliceOrder: sort.SliceStable by position in `order`; `$patch: delete` items go last. */
function sortByOrder(items: unknown[], order: unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  let toSort = items;
  let toDelete: unknown[] = [];
  if (kind === "map") {
    for (const item of [...items, ...order]) {
      if (!isObject(item) || !has(item, mergeKey))
        throw unreadable(`has a list item without its merge key ${mergeKey}`);
    }
    toSort = items.filter((item) => own(item as JsonObject, DIRECTIVE) !== "delete");
    toDelete = items.filter((item) => own(item as JsonObject, DIRECTIVE) === "delete");
  }
  const position = indexer(order, mergeKey, kind);
  const ranked = toSort.map((item) => ({ item, at: position(item) }));
  // Go's comparator calls an element "less" whenever either is missing from the order: not a
  // strict order, so only its own algorithm gives its answer. sort.SliceStable is insertion
  // sort up to 20 elements; past that, with every element found, any stable sort agrees.
  const less = (a: { at: number }, b: { at: number }) => (a.at >= 0 && b.at >= 0 ? a.at < b.at : true);
  if (ranked.length <= 20) {
    for (let i = 1; i < ranked.length; i++) {
      for (let k = i; k > 0 && less(ranked[k]!, ranked[k - 1]!); k--) {
        [ranked[k], ranked[k - 1]] = [ranked[k - 1]!, ranked[k]!];
      }
    }
  } else if (ranked.every((entry) => entry.at >= 0)) {
    ranked.sort((a, b) => a.at - b.at);
  } else {
    throw unreadable("orders a list of more than 20 items by an order that does not name them all");
  }
  return [...ranked.map((entry) => entry.item), ...toDelete];
}

/** deduplicateScalars, keeping first occurrences (the order is normalized afterwards). */
export function deduplicate(items: unknown[]): unknown[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = scalarKey(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
