/**
 * PATCH bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902), and strategic merge patch
 * approximated as a merge patch in which lists of objects with a `name` (containers, env,
 * ports, …) merge by name — the case kubectl relies on. Server-side apply is treated as a
 * merge patch that may create the object (no field ownership is tracked).
 */
import { clone, isPlainObject } from "./objects.ts";
import { StatusError } from "./status.ts";

export type PatchType = "merge" | "strategic" | "json" | "apply";

const TYPES: Record<string, PatchType> = {
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
  "application/json-patch+json": "json",
  "application/apply-patch+yaml": "apply",
};

export function patchTypeOf(contentType: string | undefined): PatchType {
  const mediaType = (contentType ?? "").split(";")[0]!.trim();
  if (Object.hasOwn(TYPES, mediaType)) return TYPES[mediaType]!;
  throw new StatusError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${Object.keys(TYPES).join(", ")}`,
  );
}

function mergeByName(target: unknown[], patch: unknown[]): unknown[] | undefined {
  const named = (list: unknown[]) =>
    list.every((item) => isPlainObject(item) && typeof item.name === "string");
  if (!named(target) || !named(patch) || patch.length === 0) return undefined;
  const result = clone(target) as Record<string, unknown>[];
  for (const item of patch as Record<string, unknown>[]) {
    const index = result.findIndex((existing) => existing.name === item.name);
    if (item.$patch === "delete") {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) result[index] = mergePatch(result[index], item, true) as Record<string, unknown>;
    else result.push(item);
  }
  return result;
}

export function mergePatch(target: unknown, patch: unknown, strategic = false): unknown {
  if (!isPlainObject(patch)) {
    if (strategic && Array.isArray(patch) && Array.isArray(target))
      return mergeByName(target, patch) ?? patch;
    return clone(patch);
  }
  const result: Record<string, unknown> = isPlainObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (strategic && key.startsWith("$")) continue;
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value, strategic);
  }
  return result;
}

function pointer(path: string): string[] {
  if (path === "") return [];
  return path
    .slice(1)
    .split("/")
    .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function invalidPatch(message: string): StatusError {
  return new StatusError(422, "Invalid", message);
}

function parentOf(
  document: unknown,
  path: string,
): { parent: Record<string, unknown> | unknown[]; key: string } {
  const parts = pointer(path);
  const key = parts.pop();
  if (key === undefined) throw invalidPatch("the server rejected our request due to an error in our request");
  let parent = document;
  for (const part of parts) {
    parent = (parent as Record<string, unknown>)?.[part];
    if (typeof parent !== "object" || parent === null) throw invalidPatch(`doc is missing path: "${path}"`);
  }
  return { parent: parent as Record<string, unknown>, key };
}

function read(document: unknown, path: string): unknown {
  return pointer(path).reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], document);
}

function write(document: unknown, path: string, value: unknown, insert: boolean): void {
  const { parent, key } = parentOf(document, path);
  if (Array.isArray(parent)) {
    const index = key === "-" ? parent.length : Number(key);
    parent.splice(index, insert ? 0 : 1, value);
  } else parent[key] = value;
}

function remove(document: unknown, path: string): unknown {
  const { parent, key } = parentOf(document, path);
  const old = (parent as Record<string, unknown>)[key];
  if (old === undefined) throw invalidPatch(`doc is missing path: "${path}"`);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return old;
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw invalidPatch("json patch must be a list of operations");
  const document = clone(target);
  for (const { op, path, from, value } of operations as Operation[]) {
    switch (op) {
      case "add":
        write(document, path, clone(value), true);
        break;
      case "replace":
        remove(document, path);
        write(document, path, clone(value), true);
        break;
      case "remove":
        remove(document, path);
        break;
      case "move":
        write(document, path, remove(document, from ?? ""), true);
        break;
      case "copy":
        write(document, path, clone(read(document, from ?? "")), true);
        break;
      case "test":
        if (JSON.stringify(read(document, path)) !== JSON.stringify(value)) {
          throw invalidPatch(`testing value ${path} failed: test failed`);
        }
        break;
      default:
        throw invalidPatch(`Unexpected kind: ${op}`);
    }
  }
  return document;
}

export function applyPatch(type: PatchType, target: unknown, patch: unknown): unknown {
  return type === "json" ? jsonPatch(target, patch) : mergePatch(target, patch, type === "strategic");
}
