/**
 * Server-side apply, for the fields the guard judges: the body is the applied configuration, and
 * the result is the object as it is with every applied field set. Structs and maps merge field by
 * field; atomic lists and structs (subjects, rules, roleRef, …) are replaced whole; set and map
 * lists (finalizers, ownerReferences, CSR conditions) merge their items. An applied null unsets
 * its field. With no object yet, the applied configuration is the object.
 *
 * What this leaves out is field ownership: the server also removes fields this manager applied
 * before and now omits. The guard sees such fields still there, which for the fields it judges
 * (who is bound, which rules, which signer) errs toward seeing more than the server will keep.
 */
import { BadRequest } from "../../shared/errors.ts";
import { clone, isObject, type JsonObject, own, put, shown } from "./json-values.ts";
import { applyList, atomicStruct, GUARDED_KINDS } from "./patch-schemas.ts";

export function applyConfiguration(current: JsonObject | undefined, applied: unknown): JsonObject {
  if (!isObject(applied)) throw new BadRequest("an apply patch (application/apply-patch+yaml) is an object");
  const apiVersion = own(applied, "apiVersion");
  const kind = own(applied, "kind");
  if (typeof apiVersion !== "string" || !apiVersion || typeof kind !== "string" || !kind) {
    throw new BadRequest("an apply patch names its apiVersion and kind");
  }
  if (!GUARDED_KINDS.has(kind))
    throw new BadRequest(`the guard does not know how server-side apply merges ${kind}`);
  if (current && (own(current, "apiVersion") !== apiVersion || own(current, "kind") !== kind)) {
    throw new BadRequest(
      `the apply patch is for ${apiVersion} ${kind}, but the object is ` +
        `${shown(own(current, "apiVersion"))} ${shown(own(current, "kind"))}`,
    );
  }
  return mergeObject(current ? clone(current) : {}, clone(applied), kind, []);
}

function mergeObject(current: JsonObject, applied: JsonObject, kind: string, path: string[]): JsonObject {
  for (const key of Object.keys(applied)) {
    const value = applied[key];
    if (value === null) delete current[key];
    else put(current, key, mergeValue(own(current, key), value, kind, [...path, key]));
  }
  return current;
}

function mergeValue(current: unknown, applied: unknown, kind: string, path: string[]): unknown {
  if (isObject(applied)) {
    if (!isObject(current) || atomicStruct(kind, path)) return mergeObject({}, applied, kind, path);
    return mergeObject(current, applied, kind, path);
  }
  if (!Array.isArray(applied)) return applied;
  const list = applyList(kind, path);
  const fresh = applied.map((item) => (isObject(item) ? mergeObject({}, item, kind, [...path, "*"]) : item));
  if (list === "atomic" || !Array.isArray(current)) return fresh;
  // Keyed lookups, not pairwise comparison: a list may hold many thousands of items.
  const identity =
    list === "set"
      ? (item: unknown) => JSON.stringify(item)
      : (item: unknown) =>
          isObject(item) ? JSON.stringify(list.keys.map((key) => own(item, key) ?? null)) : "";
  const merged = [...current];
  const positions = new Map<string, number>();
  merged.forEach((item, i) => {
    if (!positions.has(identity(item))) positions.set(identity(item), i);
  });
  for (const item of fresh) {
    const at = positions.get(identity(item));
    if (at === undefined) {
      positions.set(identity(item), merged.length);
      merged.push(item);
    } else if (list !== "set" && isObject(item)) {
      const have = merged[at];
      merged[at] = isObject(have) ? mergeObject(have, item, kind, [...path, "*"]) : item;
    }
  }
  return merged;
}
