/**
 * Plain JSON values as the guard reads and rebuilds them. Keys come from request bodies, so a key
 * such as "__proto__" must stay data, as it is in JSON: reads go through `own` and `has`, writes
 * through `put`, never `object[key]`.
 */
import { BadRequest } from "../../shared/errors.ts";

export type JsonObject = Record<string, unknown>;

/**
 * Deeper than any object of the guarded kinds nests, managedFields' fieldsV1 included. It keeps
 * the recursive code here (clone, equal, the patch mergers) far from the stack's end.
 */
export const MAX_DEPTH = 100;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const has = (object: JsonObject, key: string): boolean => Object.hasOwn(object, key);

export const own = (object: JsonObject, key: string): unknown =>
  Object.hasOwn(object, key) ? object[key] : undefined;

export function put(object: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

export function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => clone(item)) as T;
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value)) put(out, key, clone(value[key]));
  return out as T;
}

/** Equal as JSON documents: same keys and values, in any key order. */
export function equal(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => equal(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => has(b, key) && equal(a[key], b[key]));
  }
  return a === b;
}

/** How deep `value` nests (a scalar is 0), counted without recursion, so any input is safe. */
export function depthOf(value: unknown, stopAfter = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== "object" || item === null) continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > stopAfter) return deepest;
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, level]);
  }
  return deepest;
}

export function assertDepth(value: unknown, what: string): void {
  if (depthOf(value, MAX_DEPTH) > MAX_DEPTH) {
    throw new BadRequest(`${what} nests deeper than ${MAX_DEPTH} levels; no object the guard reads does`);
  }
}

/** How many values `value` holds, itself included: the cost of copying it. */
export function sizeOf(value: unknown): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    size++;
    if (typeof item === "object" && item !== null) {
      for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push(child);
    }
  }
  return size;
}

/** A short rendering of a value for an error message. */
export function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
