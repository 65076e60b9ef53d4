/**
 * Kubernetes strategic merge patch, ported from apimachinery's strategicpatch (mergeMap,
 * mergeSlice and mergePatchIntoOriginal) as the API server runs it, for the guarded kinds only:
 * their merge strategies are in patch-schemas.ts. Maps merge; lists without patchStrategy=merge
 * (subjects, rules, usages, …) take the patch's list as sent, `$patch` items included, since
 * the server does so too and then drops the unknown `$patch` field when it decodes. Where the
 * object has no value yet, the patch's value is set without its nulls and its `$patch` maps.
 *
 * Go iterates a patch map in random order; this follows the patch's own key order, which can
 * differ only when one map both sets and `$deleteFromPrimitiveList`s the same item.
 */
import { clone, isObject, type JsonObject, own, put, shown } from "./json-values.ts";
import { guardedKind, strategicList } from "./patch-schemas.ts";
import {
  checkElementOrder,
  DELETE_FROM_PRIMITIVE_LIST,
  discardNulls,
  listKey,
  mapDirective,
  retainKeys,
  SET_ELEMENT_ORDER,
  specialElements,
  withoutDirectives,
} from "./strategic-directives.ts";
import {
  DIRECTIVE,
  deduplicate,
  elementKind,
  normalizeElementOrder,
  partition,
  scalarKey,
  unreadable,
} from "./strategic-order.ts";

type Path = readonly string[];

export function applyStrategicMergePatch(document: JsonObject, patch: unknown): JsonObject {
  if (!isObject(patch)) throw unreadable("(application/strategic-merge-patch+json) must be a JSON object");
  guardedKind(document, "strategic merge patch");
  return mergeMap(clone(document), clone(patch), []);
}

const goKind = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "list" : typeof value);

function mergeMap(original: JsonObject, patch: JsonObject, at: Path): JsonObject {
  if (Object.hasOwn(patch, DIRECTIVE)) return mapDirective(patch);
  retainKeys(original, patch);
  setElementOrders(original, patch, at);
  for (const name of Object.keys(patch)) {
    const deleteList = name.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    const key = deleteList ? listKey(name, DELETE_FROM_PRIMITIVE_LIST) : name;
    const value = patch[name];
    if (value === null) {
      delete original[key];
      continue;
    }
    const current = own(original, key);
    if (!Object.hasOwn(original, key) || goKind(current) !== goKind(value)) {
      if (!deleteList) setFresh(original, key, value);
      continue;
    }
    if (isObject(current)) put(original, key, mergeMap(current, value as JsonObject, [...at, key]));
    else if (Array.isArray(current)) {
      put(original, key, mergeList(current, value as unknown[], [...at, key], deleteList));
    } else setFresh(original, key, value);
  }
  return original;
}

/** A value the object did not have (or had as another type): no nulls, no `$patch` maps. */
function setFresh(original: JsonObject, key: string, value: unknown): void {
  discardNulls(value);
  const fresh = withoutDirectives(value);
  if (fresh.keep) put(original, key, fresh.value);
  else delete original[key];
}

/** mergeSliceHandler: a `$deleteFromPrimitiveList` list or a merging list merges; any other is replaced. */
function mergeList(original: unknown[], patch: unknown[], at: Path, deleteList: boolean): unknown[] {
  const strategy = strategicList(at);
  if (!strategy.merge && !deleteList) return patch;
  return mergeSlice(original, patch, at, strategy.mergeKey, deleteList);
}

function mergeSlice(original: unknown[], patch: unknown[], at: Path, mergeKey: string, deleteList: boolean) {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  if (kind !== "map") {
    if (deleteList) {
      const doomed = new Set(patch.map(scalarKey));
      return original.filter((item) => !doomed.has(scalarKey(item)));
    }
    const merged = deduplicate([...original, ...patch]);
    const [inPatch, serverOnly] = partition(merged, patch, "");
    return normalizeElementOrder(inPatch, serverOnly, patch, original, "", kind);
  }
  if (mergeKey === "") throw unreadable(`merges the list ${at.join(".")}, which has no merge key`);
  const [kept, plain] = specialElements(original, patch, mergeKey);
  const merged = mergeByKey(kept, plain, mergeKey, at);
  const [inPatch, serverOnly] = partition(merged, plain, mergeKey);
  return normalizeElementOrder(inPatch, serverOnly, plain, kept, mergeKey, kind);
}

/** mergeSliceWithoutSpecialElements: an item with a known merge key merges into it, others append. */
function mergeByKey(original: unknown[], patch: unknown[], mergeKey: string, at: Path): unknown[] {
  const out = [...original];
  const positions = new Map<string, number>();
  const remember = (item: unknown, i: number) => {
    if (!Object.hasOwn(item as JsonObject, mergeKey)) return;
    const key = scalarKey(own(item as JsonObject, mergeKey));
    if (!positions.has(key)) positions.set(key, i);
  };
  out.forEach(remember);
  for (const item of patch as JsonObject[]) {
    if (!Object.hasOwn(item, mergeKey)) throw unreadable(`has a list item without its merge key ${mergeKey}`);
    const position = positions.get(scalarKey(own(item, mergeKey)));
    if (position === undefined) {
      out.push(item);
      remember(item, out.length - 1);
    } else out[position] = mergeMap(out[position] as JsonObject, item, [...at, "*"]);
  }
  return out;
}

/** mergePatchIntoOriginal: each `$setElementOrder/<field>` merges its list now and orders it. */
function setElementOrders(original: JsonObject, patch: JsonObject, at: Path): void {
  for (const name of Object.keys(patch)) {
    if (!name.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[name];
    delete patch[name];
    if (!Array.isArray(order)) throw unreadable(`has a ${name} that is not a list`);
    const key = listKey(name, SET_ELEMENT_ORDER);
    const current = listAt(original, key, "object");
    const sent = listAt(patch, key, "patch");
    const { mergeKey, merge } = strategicList([...at, key]);
    checkElementOrder(sent ?? [], order, mergeKey);
    if (!current && !sent) continue;
    let merged: unknown[];
    if (!sent) merged = current!;
    else if (!current) merged = withoutDirectives(sent).value as unknown[];
    else merged = merge ? mergeSlice(current, sent, [...at, key], mergeKey, false) : sent;
    if (mergeKey === "" && [...merged, ...order].some((item) => isObject(item) || Array.isArray(item))) {
      // Go hashes the items to order them, and a map cannot be hashed: the server fails.
      throw unreadable(`orders ${[...at, key].join(".")}, a list of objects without a merge key`);
    }
    const [inPatch, serverOnly] = partition(merged, order, mergeKey);
    const kind = elementKind(current ?? [], sent ?? []);
    put(original, key, normalizeElementOrder(inPatch, serverOnly, order, current ?? [], mergeKey, kind));
    delete patch[key];
  }
}

function listAt(map: JsonObject, key: string, side: string): unknown[] | undefined {
  if (!Object.hasOwn(map, key)) return undefined;
  const value = map[key];
  if (!Array.isArray(value))
    throw unreadable(`orders ${key}, which in the ${side} is ${shown(value)}, not a list`);
  return value;
}
