/**
 * JSON merge patch (RFC 7386), as jsonpatch.MergePatch applies it: objects merge key by key, a
 * null removes the key, anything else (lists included) replaces what was there. A patch that is
 * not an object replaces the whole document.
 */
import { clone, isPlainObject } from "../objects.ts";

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}
