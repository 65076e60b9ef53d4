/**
 * RFC 7386 JSON merge patch as the API server applies it (evanphx/json-patch's MergePatch): a
 * null deletes, an object merges into an object, anything else replaces. Where a patch value
 * lands on no object, its nulls are pruned the way evanphx prunes them, which goes a little
 * beyond the RFC: objects inside arrays lose their null members too.
 */
import { BadRequest } from "../../shared/errors.ts";
import { clone, isObject, type JsonObject, own, put } from "./json-values.ts";

export function applyMergePatch(document: JsonObject, patch: unknown): JsonObject {
  if (!isObject(patch)) throw new BadRequest("a merge patch (application/merge-patch+json) is a JSON object");
  const out = clone(document);
  mergeInto(out, clone(patch));
  return out;
}

function mergeInto(document: JsonObject, patch: JsonObject): void {
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) {
      delete document[key];
      continue;
    }
    const current = own(document, key);
    if (current === undefined || current === null) {
      pruneNulls(value);
      put(document, key, value);
    } else if (!isObject(current)) {
      pruneNulls(value);
      put(document, key, value);
    } else if (isObject(value)) {
      mergeInto(current, value);
    } else {
      put(document, key, value);
    }
  }
}

function pruneNulls(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) pruneNulls(item);
  } else if (isObject(value)) {
    for (const key of Object.keys(value)) {
      if (value[key] === null) delete value[key];
      else pruneNulls(value[key]);
    }
  }
}
