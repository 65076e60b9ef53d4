/**
 * The directives of strategic merge patch as apimachinery's strategicpatch applies them on the
 * server (MergeParallelList and IgnoreUnmatchedNulls both on): `$patch` in a map and in a
 * merging list, `$retainKeys`, `$deleteFromPrimitiveList/<field>`, and the checks that go with
 * `$setElementOrder/<field>`. A `$patch` value other than the server's own is refused, as the
 * server refuses it.
 */
import { has, isObject, type JsonObject, own, put, shown } from "./json-values.ts";
import { DIRECTIVE, scalarKey, unreadable } from "./strategic-order.ts";

export const RETAIN_KEYS = "$retainKeys";
export const DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList";
export const SET_ELEMENT_ORDER = "$setElementOrder";

/** handleDirectiveInMergeMap: `replace` takes the patch's map as it is, `delete` leaves an empty one. */
export function mapDirective(patch: JsonObject): JsonObject {
  const directive = own(patch, DIRECTIVE);
  if (directive === "replace") {
    delete patch[DIRECTIVE];
    return patch;
  }
  if (directive === "delete") return {};
  throw unreadable(
    `has "$patch": ${shown(directive)} in a map; the API server takes only replace or delete there`,
  );
}

/** extractKey: "$deleteFromPrimitiveList/finalizers" names the list "finalizers". */
export function listKey(key: string, prefix: string): string {
  const slash = key.indexOf("/");
  if (slash < 0 || key.slice(0, slash) !== prefix)
    throw unreadable(`has the key ${JSON.stringify(key)}, not ${prefix}/<field>`);
  return key.slice(slash + 1);
}

/** applyRetainKeysDirective: keys of the object not in the list go; the patch may set no other. */
export function retainKeys(original: JsonObject, patch: JsonObject): void {
  if (!has(patch, RETAIN_KEYS)) return;
  const retained = own(patch, RETAIN_KEYS);
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retained)) throw unreadable(`has a ${RETAIN_KEYS} that is not a list`);
  const kept = new Set(retained.filter((item): item is string => typeof item === "string"));
  for (const key of Object.keys(patch)) {
    if (
      patch[key] === null ||
      key.startsWith(DELETE_FROM_PRIMITIVE_LIST) ||
      key.startsWith(SET_ELEMENT_ORDER)
    )
      continue;
    if (!kept.has(key))
      throw unreadable(`sets ${JSON.stringify(key)}, which its ${RETAIN_KEYS} list leaves out`);
  }
  for (const key of Object.keys(original)) if (!kept.has(key)) delete original[key];
}

/**
 * removeDirectives, for a value the object did not have: maps holding `$patch` vanish (from
 * lists too), and the rest is kept as sent. `keep` false means the value itself vanishes.
 */
export function withoutDirectives(value: unknown): { value: unknown; keep: boolean } {
  if (Array.isArray(value)) {
    const kept = value.map(withoutDirectives).filter((item) => item.keep);
    return { value: kept.map((item) => item.value), keep: true };
  }
  if (!isObject(value)) return { value, keep: true };
  if (has(value, DIRECTIVE)) return { value: undefined, keep: false };
  for (const key of Object.keys(value)) {
    const inner = withoutDirectives(value[key]);
    if (inner.keep) put(value, key, inner.value);
    else delete value[key];
  }
  return { value, keep: true };
}

/** discardNullValuesFromPatch: a value the object did not have is set without its null members. */
export function discardNulls(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) discardNulls(item);
  } else if (isObject(value)) {
    for (const key of Object.keys(value)) {
      if (value[key] === null) delete value[key];
      else discardNulls(value[key]);
    }
  }
}

/**
 * mergeSliceWithSpecialElements: `$patch: delete` items delete every item with their merge key's
 * value, `$patch: replace` makes the rest of the patch list the whole list.
 */
export function specialElements(
  original: unknown[],
  patch: unknown[],
  mergeKey: string,
): [unknown[], unknown[]] {
  let kept = original;
  const plain: unknown[] = [];
  let replace = false;
  for (const item of patch as JsonObject[]) {
    if (!has(item, DIRECTIVE)) {
      plain.push(item);
      continue;
    }
    const directive = own(item, DIRECTIVE);
    if (directive === "delete") {
      if (!has(item, mergeKey)) throw unreadable(`deletes a list item without naming its ${mergeKey}`);
      const doomed = scalarKey(own(item, mergeKey));
      kept = kept.filter(
        (entry) =>
          !has(entry as JsonObject, mergeKey) || scalarKey(own(entry as JsonObject, mergeKey)) !== doomed,
      );
    } else if (directive === "replace") replace = true;
    else if (directive === "merge")
      throw unreadable(`has "$patch": "merge" in a list, which the API server refuses`);
    else
      throw unreadable(
        `has "$patch": ${shown(directive)} in a list; the API server takes only replace or delete`,
      );
  }
  return replace ? [plain, []] : [kept, plain];
}

/** validatePatchWithSetOrderList: the patch list's items appear in $setElementOrder, in its order. */
export function checkElementOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey !== "") {
    for (const item of patchList)
      if (!isObject(item)) throw unreadable(`has ${shown(item)} in a list of objects`);
    items = patchList.filter((item) => own(item as JsonObject, DIRECTIVE) !== "delete");
  }
  const compared = (item: unknown, side: string) => {
    if (mergeKey === "") return scalarKey(item);
    if (!isObject(item) || !has(item, mergeKey))
      throw unreadable(`has ${side} item without its merge key ${mergeKey}`);
    return scalarKey(own(item, mergeKey));
  };
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p];
    if (isObject(item) && has(item, DIRECTIVE)) {
      p++;
      continue;
    }
    if (compared(item, "a patch list") === compared(order[o], "a $setElementOrder")) p++;
    o++;
  }
  if (p < items.length) throw unreadable("has a list whose order does not match its $setElementOrder list");
}
