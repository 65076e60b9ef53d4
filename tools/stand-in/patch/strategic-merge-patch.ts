/**
 * Strategic merge patch as the API server applies it (strategicpatch.StrategicMergeMapPatch with
 * MergeParallelList and IgnoreUnmatchedNulls): maps merge, a null removes a key, lists merge only
 * where the Go type says `patchStrategy:"merge"` (by `patchMergeKey`, or as a set of scalars) and
 * are otherwise replaced whole — so RBAC `subjects` and `rules` are replaced — and the directives
 * `$patch: replace|delete` (maps and merging lists), `$retainKeys`,
 * `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>` work as there. What is left of
 * a directive in the result (in an atomic list, say) is dropped the way decoding into the Go type
 * drops an unknown field.
 */
import { clone, isPlainObject } from "../objects.ts";
import {
  DEDUCED,
  fieldSchema,
  type ListSchema,
  type MapSchema,
  resolve,
  type Schema,
} from "../schema/schema.ts";
import {
  DIRECTIVE,
  deduplicateScalars,
  discardNulls,
  elementKind,
  goFormat,
  goType,
  noMergeKey,
  normalizeElementOrder,
  partition,
  patchFailure,
  removeDirectives,
  SENTINELS,
} from "./strategic-order.ts";

const RETAIN_KEYS = "$retainKeys";
const DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList";
const SET_ELEMENT_ORDER = "$setElementOrder";

type JsonMap = Record<string, unknown>;

function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf("/");
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw prefix === SET_ELEMENT_ORDER ? SENTINELS.setElementOrder() : SENTINELS.primitiveList();
  }
  return key.slice(slash + 1);
}

function asMap(schema: Schema, value: unknown): MapSchema {
  const resolved = resolve(schema, value);
  return resolved.kind === "map" ? resolved : { kind: "map", values: DEDUCED };
}

function asList(schema: Schema, value: unknown): ListSchema {
  const resolved = resolve(schema, value);
  return resolved.kind === "list" ? resolved : { kind: "list", items: DEDUCED, listType: "atomic" };
}

function handleMapDirective(directive: unknown, patch: JsonMap): JsonMap {
  if (directive === "replace") {
    delete patch[DIRECTIVE];
    return patch;
  }
  if (directive === "delete") return {};
  throw patchFailure(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(patch)}`);
}

function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const retained = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retained)) throw SENTINELS.retainKeys();
  const kept = new Set(retained);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER))
      continue;
    if (!kept.has(key)) throw SENTINELS.retainKeys();
  }
  for (const key of Object.keys(original)) if (!kept.has(key)) delete original[key];
}

/** validatePatchWithSetOrderList: the patch list keeps the order of the $setElementOrder list. */
function checkSetOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey
    ? patchList.filter((item) => !isPlainObject(item) || item[DIRECTIVE] !== "delete")
    : patchList;
  const keyOf = (item: unknown) => {
    if (!mergeKey) return item;
    if (!isPlainObject(item)) throw patchFailure("expected a map, but received a non-map value");
    if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    return item[mergeKey];
  };
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p];
    if (isPlainObject(item) && Object.hasOwn(item, DIRECTIVE)) {
      p++;
      continue;
    }
    const key = keyOf(item);
    if (typeof key !== "object" && key === keyOf(order[o])) p++;
    o++;
  }
  if (p < items.length) {
    throw patchFailure(
      `the order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFormat(order)}`,
    );
  }
}

/** mergePatchIntoOriginal: lists named by `$setElementOrder/<field>` merged and put in that order. */
function mergeOrderedLists(original: JsonMap, patch: JsonMap, schema: MapSchema): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw patchFailure("expected a slice, but received a non-slice value");
    const field = extractKey(key, SET_ELEMENT_ORDER);
    const originalList = original[field];
    const patchList = patch[field];
    const foundOriginal = Object.hasOwn(original, field);
    const foundPatch = Object.hasOwn(patch, field);
    if (foundOriginal && !Array.isArray(originalList)) throw patchFailure("expected a slice in the object");
    if (foundPatch && !Array.isArray(patchList)) throw patchFailure("expected a slice in the patch");
    const list = asList(fieldSchema(schema, field), originalList ?? patchList);
    const mergeKey = list.mergeKey ?? "";
    checkSetOrder((patchList as unknown[]) ?? [], order, mergeKey);
    let merged: unknown[];
    if (foundOriginal && !foundPatch) merged = originalList as unknown[];
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchList).value as unknown[];
    else if (foundOriginal && foundPatch)
      merged = mergeListField(originalList as unknown[], patchList as unknown[], list, false);
    else continue;
    const kind = elementKind((originalList as unknown[]) ?? [], (patchList as unknown[]) ?? []);
    const [inOrder, serverOnly] = partition(merged, order, mergeKey, kind);
    original[field] = normalizeElementOrder(
      inOrder,
      serverOnly,
      order,
      (originalList as unknown[]) ?? [],
      mergeKey,
      kind,
    );
    delete patch[field];
  }
}

function mergeListField(original: unknown[], patch: unknown[], list: ListSchema, isDeleteList: boolean) {
  // Delete lists are handled the same way whatever the field's patch strategy.
  if (list.patchMerge || isDeleteList) return mergeSlice(original, patch, list, isDeleteList);
  return patch;
}

function mergeSlice(
  original: unknown[],
  patch: unknown[],
  list: ListSchema,
  isDeleteList: boolean,
): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  const mergeKey = list.mergeKey ?? "";
  let serverOrder = original;
  let patchItems = patch;
  let merged: unknown[];
  if (kind !== "map") {
    if (isDeleteList) return original.filter((item) => !patch.includes(item));
    merged = deduplicateScalars([...original, ...patch]);
  } else {
    if (!mergeKey)
      throw patchFailure(`cannot merge lists without merge key for ${list.keys?.join(",") ?? ""}`);
    [serverOrder, patchItems] = specialElements(original, patch, mergeKey);
    merged = [...serverOrder];
    for (const item of patchItems as JsonMap[]) {
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      const at = merged.findIndex(
        (entry) =>
          isPlainObject(entry) && typeof item[mergeKey] !== "object" && entry[mergeKey] === item[mergeKey],
      );
      if (at >= 0) merged[at] = mergeMap(merged[at] as JsonMap, item, asMap(list.items, item));
      else merged.push(item);
    }
  }
  const [inPatch, serverOnly] = partition(merged, patchItems, mergeKey, kind);
  return normalizeElementOrder(inPatch, serverOnly, patchItems, serverOrder, mergeKey, kind);
}

/** mergeSliceWithSpecialElements: `$patch: delete` items and `$patch: replace`. */
function specialElements(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  let kept = original;
  const plain: unknown[] = [];
  let replace = false;
  for (const item of patch as JsonMap[]) {
    if (!Object.hasOwn(item, DIRECTIVE)) {
      plain.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === "delete") {
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      kept = kept.filter((entry) => !(isPlainObject(entry) && entry[mergeKey] === item[mergeKey]));
    } else if (directive === "replace") replace = true;
    else if (directive === "merge") throw patchFailure("merging lists cannot yet be specified in the patch");
    else throw patchFailure(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(item)}`);
  }
  return replace ? [plain, []] : [kept, plain];
}

function takePatchValue(original: JsonMap, key: string, value: unknown): void {
  discardNulls(value);
  const cleaned = removeDirectives(value);
  if (cleaned.keep) original[key] = cleaned.value;
  else delete original[key];
}

function mergeMap(originalIn: JsonMap | undefined, patch: JsonMap, schema: MapSchema): JsonMap {
  if (Object.hasOwn(patch, DIRECTIVE)) return handleMapDirective(patch[DIRECTIVE], patch);
  const original = originalIn ?? {};
  applyRetainKeys(original, patch);
  mergeOrderedLists(original, patch, schema);
  for (const [rawKey, patchValue] of Object.entries(patch)) {
    let key = rawKey;
    const isDeleteList = rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    if (isDeleteList) key = extractKey(rawKey, DELETE_FROM_PRIMITIVE_LIST);
    if (patchValue === null) {
      delete original[key];
      continue;
    }
    if (!Object.hasOwn(original, key) || goType(original[key]) !== goType(patchValue)) {
      if (!isDeleteList) takePatchValue(original, key, patchValue);
      continue;
    }
    const child = fieldSchema(schema, key);
    if (isPlainObject(patchValue)) {
      original[key] = mergeMap(original[key] as JsonMap, patchValue, asMap(child, patchValue));
    } else if (Array.isArray(patchValue)) {
      const list = asList(child, patchValue);
      original[key] = mergeListField(original[key] as unknown[], patchValue, list, isDeleteList);
    } else if (!isDeleteList) {
      takePatchValue(original, key, patchValue);
    }
  }
  return original;
}

/** What decoding into the Go type leaves of leftover directive keys: nothing. */
function dropDirectiveKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropDirectiveKeys);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith("$"))
      .map(([key, inner]) => [key, dropDirectiveKeys(inner)]),
  );
}

export function strategicMergePatch(original: unknown, patch: unknown, schema: MapSchema): unknown {
  if (!isPlainObject(patch)) {
    throw SENTINELS.badDocument(
      `json: cannot unmarshal ${Array.isArray(patch) ? "array" : goType(patch)} into Go value of type map[string]interface {}`,
    );
  }
  const merged = mergeMap(isPlainObject(original) ? clone(original) : {}, clone(patch), schema);
  return dropDirectiveKeys(merged);
}
