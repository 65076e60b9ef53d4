/**
 * The list helpers of apimachinery's strategicpatch (patch.go, 1.32): the order a merged list
 * ends up in (patch items first where the live order says nothing, server-only items slotted in
 * by the live order), scalar deduplication, directive removal, and the errors it raises with
 * the status the API server gives them.
 */
import { isPlainObject } from "../objects.ts";
import { badRequest, StatusError } from "../status.ts";
import { rejectedPatch } from "./json-patch.ts";

export const DIRECTIVE = "$patch";
export type Kind = "map" | "scalar";

/** An error strategicpatch returns as a plain Go error: the API server answers 500 with its text. */
export function patchFailure(message: string): StatusError {
  return new StatusError(500, "", message);
}

/** The sentinel errors interpretStrategicMergePatchError maps to 400 or 422. */
export const SENTINELS = {
  primitiveList: () => badRequest("invalid patch format of primitive list"),
  retainKeys: () => badRequest("invalid patch format of retainKeys"),
  setElementOrder: () => badRequest("invalid patch format of setElementOrder list"),
  listOfLists: () => rejectedPatch(),
  badDocument: (message: string) => badRequest(message),
};

/** Go's `%v` of a decoded JSON value: `map[a:1 b:[x y]]`, keys sorted. */
export function goFormat(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(goFormat).join(" ")}]`;
  if (isPlainObject(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${k}:${goFormat(value[k])}`);
    return `map[${entries.join(" ")}]`;
  }
  return String(value);
}

/** Go `==` on two decoded JSON values (maps and lists never compare equal). */
function same(a: unknown, b: unknown): boolean {
  return typeof a !== "object" && a === b;
}

/** reflect.TypeOf of a decoded JSON value, coarse enough for the "same type" checks. */
export function goType(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (Array.isArray(value)) return "slice";
  if (isPlainObject(value)) return "map";
  if (typeof value === "number") return Number.isInteger(value) ? "int64" : "float64";
  return typeof value;
}

/** sliceElementType: the one type every item of the lists has. */
export function elementKind(...lists: unknown[][]): Kind {
  let previous: string | undefined;
  for (const list of lists) {
    for (const item of list) {
      const type = goType(item);
      if (previous === undefined) {
        if (type === "slice") throw SENTINELS.listOfLists();
        previous = type;
      } else if (previous !== type) {
        throw patchFailure(`list element types are not identical: ${goFormat(lists)}`);
      }
    }
  }
  if (previous === undefined) throw patchFailure("no elements in any of the given slices");
  return previous === "map" ? "map" : "scalar";
}

function keyOf(item: unknown, mergeKey: string, kind: Kind): unknown {
  if (kind !== "map") return item;
  return isPlainObject(item) ? item[mergeKey] : undefined;
}

export function indexIn(list: unknown[], item: unknown, mergeKey: string, kind: Kind): number {
  const wanted = keyOf(item, mergeKey, kind);
  return list.findIndex((entry) => {
    const key = keyOf(entry, mergeKey, kind);
    return (key === undefined && wanted === undefined) || same(key, wanted);
  });
}

export function noMergeKey(item: unknown, mergeKey: string): StatusError {
  return patchFailure(`map: ${goFormat(item)} does not contain declared merge key: ${mergeKey}`);
}

function requireMergeKeys(mergeKey: string, ...lists: unknown[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isPlainObject(item)) throw patchFailure("expected a map, but received a non-map value");
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
  }
}

/** sort.SliceStable with strategicpatch's comparator (Go's insertion sort, exact for ≤ 20 items). */
function stableSort(items: unknown[], less: (a: unknown, b: unknown) => boolean): unknown[] {
  const out = [...items];
  for (let i = 1; i < out.length; i++) {
    for (let j = i; j > 0 && less(out[j], out[j - 1]); j--) [out[j], out[j - 1]] = [out[j - 1], out[j]];
  }
  return out;
}

function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: Kind): unknown[] {
  let kept = toSort;
  let toDelete: unknown[] = [];
  if (kind === "map") {
    requireMergeKeys(mergeKey, toSort, order);
    kept = toSort.filter((item) => (item as Record<string, unknown>)[DIRECTIVE] !== "delete");
    toDelete = toSort.filter((item) => (item as Record<string, unknown>)[DIRECTIVE] === "delete");
  }
  const sorted = stableSort(kept, (a, b) => {
    const ia = indexIn(order, a, mergeKey, kind);
    if (ia < 0) return true;
    const ib = indexIn(order, b, mergeKey, kind);
    return ib < 0 ? true : ia < ib;
  });
  return [...sorted, ...toDelete];
}

/** mergeSortedSlice: server-only items slotted into the patch items by the live order. */
function mergeSorted(
  left: unknown[],
  right: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: Kind,
) {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

export function normalizeElementOrder(
  patch: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: Kind,
): unknown[] {
  const sortedPatch = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const sortedServer = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSorted(sortedServer, sortedPatch, serverOrder, mergeKey, kind);
}

/** partition{Primitives,Maps}ByPresentInList: items named in `by` first, the rest second. */
export function partition(
  list: unknown[],
  by: unknown[],
  mergeKey: string,
  kind: Kind,
): [unknown[], unknown[]] {
  if (kind === "map") requireMergeKeys(mergeKey, list);
  const inBy = (item: unknown) =>
    kind === "map"
      ? by.some((b) => isPlainObject(b) && same(b[mergeKey], (item as Record<string, unknown>)[mergeKey]))
      : by.some((b) => same(b, item));
  return [list.filter(inBy), list.filter((item) => !inBy(item))];
}

/** deduplicateScalars, keeping its quirk of moving the last item into a duplicate's place. */
export function deduplicateScalars(list: unknown[]): unknown[] {
  const s = [...list];
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (same(s[i], s[j])) {
        s[j] = s[length];
        s.length = length;
        length--;
        j--;
      }
    }
  }
  return s;
}

/** removeDirectives: maps holding `$patch` vanish (from lists too); false when `value` itself does. */
export function removeDirectives(value: unknown): { value: unknown; keep: boolean } {
  if (Array.isArray(value)) {
    const kept = value.map(removeDirectives).filter((item) => item.keep);
    return { value: kept.map((item) => item.value), keep: true };
  }
  if (!isPlainObject(value)) return { value, keep: true };
  if (Object.hasOwn(value, DIRECTIVE)) return { value: undefined, keep: false };
  for (const key of Object.keys(value)) {
    const inner = removeDirectives(value[key]);
    if (inner.keep) value[key] = inner.value;
    else delete value[key];
  }
  return { value, keep: true };
}

/** discardNullValuesFromPatch. */
export function discardNulls(value: unknown): void {
  if (Array.isArray(value)) for (const item of value) discardNulls(item);
  else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      if (value[key] === null) delete value[key];
      else discardNulls(value[key]);
    }
  }
}
