/**
 * JSON patch (RFC 6902) as github.com/evanphx/json-patch (v4) applies it for the API server.
 * A body that is not a list of operations is a 400 with the decoder's message; an operation that
 * cannot apply (missing path, failed test, unknown op) is the 422 the API server builds with
 * NewGenericServerResponse, whose message hides the detail: "the server rejected our request
 * due to an error in our request".
 */
import { clone, isPlainObject, sameJson } from "../objects.ts";
import { badRequest, StatusError } from "../status.ts";

/** What any failed operation becomes (errors.NewGenericServerResponse(422, …)). */
export function rejectedPatch(): StatusError {
  return new StatusError(
    422,
    "Invalid",
    "the server rejected our request due to an error in our request",
    {},
  );
}

class OperationFailed extends Error {}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new OperationFailed(`invalid path ${path}`);
  return path
    .slice(1)
    .split("/")
    .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"));
}

type Container = Record<string, unknown> | unknown[];

/** The container holding the last segment of `path`, and that segment. */
function locate(document: { root: unknown }, path: string): { parent: Container; key: string } {
  const parts = pointer(path);
  const key = parts.pop();
  if (key === undefined) return { parent: document as unknown as Container, key: "root" };
  let parent: unknown = document.root;
  for (const part of parts) {
    if (Array.isArray(parent)) parent = parent[arrayIndex(parent, part, false)];
    else if (isPlainObject(parent) && Object.hasOwn(parent, part)) parent = parent[part];
    else throw new OperationFailed(`doc is missing path: ${path}`);
  }
  if (!Array.isArray(parent) && !isPlainObject(parent))
    throw new OperationFailed(`doc is missing path: ${path}`);
  return { parent, key };
}

function arrayIndex(list: unknown[], key: string, inserting: boolean): number {
  if (inserting && key === "-") return list.length;
  if (!/^(0|[1-9]\d*)$/.test(key)) throw new OperationFailed(`invalid index ${key}`);
  const index = Number(key);
  if (index > list.length || (!inserting && index === list.length))
    throw new OperationFailed("Unable to access invalid index");
  return index;
}

function get(document: { root: unknown }, path: string): unknown {
  const { parent, key } = locate(document, path);
  if (Array.isArray(parent)) return parent[arrayIndex(parent, key, false)];
  if (!Object.hasOwn(parent, key)) throw new OperationFailed(`doc is missing key: ${path}`);
  return parent[key];
}

function add(document: { root: unknown }, path: string, value: unknown): void {
  const { parent, key } = locate(document, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true), 0, value);
  else parent[key] = value;
}

function remove(document: { root: unknown }, path: string): unknown {
  const { parent, key } = locate(document, path);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, false), 1)[0];
  if (!Object.hasOwn(parent, key)) throw new OperationFailed(`doc is missing key: ${path}`);
  const old = parent[key];
  delete parent[key];
  return old;
}

interface Operation {
  op?: unknown;
  path?: unknown;
  from?: unknown;
  value?: unknown;
}

function applyOperation(document: { root: unknown }, operation: Operation): void {
  const path = String(operation.path ?? "");
  const from = String(operation.from ?? "");
  switch (operation.op) {
    case "add":
      add(document, path, clone(operation.value ?? null));
      return;
    case "remove":
      remove(document, path);
      return;
    case "replace":
      get(document, path);
      remove(document, path);
      add(document, path, clone(operation.value ?? null));
      return;
    case "move":
      add(document, path, remove(document, from));
      return;
    case "copy":
      add(document, path, clone(get(document, from)));
      return;
    case "test": {
      let current: unknown = null;
      try {
        current = get(document, path);
      } catch {
        current = null;
      }
      if (!sameJson(current, operation.value ?? null))
        throw new OperationFailed(`testing value ${path} failed`);
      return;
    }
    default:
      throw new OperationFailed(`Unexpected kind: ${String(operation.op ?? "unknown")}`);
  }
}

/** Applies the operations to a copy of `target`; throws the API server's 400 or 422. */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations) || operations.some((op) => !isPlainObject(op))) {
    const what = Array.isArray(operations) ? "array element" : typeof operations;
    throw badRequest(`json: cannot unmarshal ${what} into Go value of type jsonpatch.Patch`);
  }
  if (operations.length > 10_000) {
    throw new StatusError(
      413,
      "RequestEntityTooLarge",
      `Request entity too large: The allowed maximum operations in a JSON patch is 10000, got ${operations.length}`,
    );
  }
  const document = { root: clone(target) };
  try {
    for (const operation of operations as Operation[]) applyOperation(document, operation);
  } catch (err) {
    if (err instanceof OperationFailed) throw rejectedPatch();
    throw err;
  }
  return document.root;
}
