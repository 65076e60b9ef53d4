/**
 * RFC 6902 JSON Patch as the API server applies it, with evanphx/json-patch v4: array indices
 * read as Go's strconv.Atoi reads them (so negative ones count from the end), `replace` of a
 * missing object key adds it, `test` finds a missing value equal to null, `copy` of a missing
 * key copies null. A path that does not start with "/" is refused (v4 would ignore its first
 * segment), and so is a patch of more than MAX_OPERATIONS operations (the server allows 10,000).
 * Copies are bounded, since each can double the document.
 */
import { BadRequest, Invalid } from "../../shared/errors.ts";
import {
  clone,
  depthOf,
  equal,
  has,
  isObject,
  type JsonObject,
  MAX_DEPTH,
  own,
  put,
  shown,
  sizeOf,
} from "./json-values.ts";

export const MAX_OPERATIONS = 1000;
/** Values an operation may copy into the document, all operations together. */
const COPY_BUDGET = 1_000_000;

type Container = JsonObject | unknown[];

export function applyJsonPatch(document: JsonObject, patch: unknown): JsonObject {
  if (!Array.isArray(patch)) {
    throw new BadRequest("a JSON patch (application/json-patch+json) is a list of operations");
  }
  if (patch.length > MAX_OPERATIONS) {
    throw new BadRequest(
      `the JSON patch has ${patch.length} operations; the gateway applies at most ${MAX_OPERATIONS}`,
    );
  }
  const patcher = new JsonPatcher(clone(document));
  patch.forEach((operation, index) => {
    patcher.apply(operation, index);
  });
  if (!isObject(patcher.document))
    throw new Invalid("the JSON patch makes the object something other than an object");
  return patcher.document;
}

class JsonPatcher {
  document: unknown;
  #copied = 0;

  constructor(document: JsonObject) {
    this.document = document;
  }

  apply(operation: unknown, index: number): void {
    if (!isObject(operation)) throw new BadRequest(`JSON patch operation ${index} is not an object`);
    const op = own(operation, "op");
    const path = text(operation, "path", index);
    const where = `JSON patch operation ${index} (${shown(op)} ${path})`;
    const value = () => this.#budget(own(operation, "value") ?? null);
    if (op !== "test" && path === "") {
      if (op !== "replace") throw new Invalid(`${where}: the whole object can only be replaced or tested`);
      this.document = value();
      return;
    }
    switch (op) {
      case "test":
        this.#test(path, own(operation, "value") ?? null, where);
        break;
      case "add":
        add(this.#parent(path, where), lastKey(path), this.#placed(path, value()), where);
        break;
      case "remove":
        remove(this.#parent(path, where), lastKey(path), where);
        break;
      case "replace": {
        const parent = this.#parent(path, where);
        get(parent, lastKey(path), where); // a missing array index fails; a missing object key is set
        set(parent, lastKey(path), this.#placed(path, value()), where);
        break;
      }
      case "move":
      case "copy": {
        const from = text(operation, "from", index);
        const source = this.#parent(from, `${where} from ${from}`);
        let moved: unknown = get(source, lastKey(from), where) ?? null;
        if (op === "move") remove(source, lastKey(from), where);
        else moved = this.#budget(moved);
        add(this.#parent(path, where), lastKey(path), this.#placed(path, moved), where);
        break;
      }
      default:
        throw new BadRequest(
          `JSON patch operation ${index} has op ${shown(op)}: not add, remove, replace, move, copy or test`,
        );
    }
  }

  #test(path: string, expected: unknown, where: string): void {
    const actual = path === "" ? this.document : get(this.#parent(path, where), lastKey(path), where);
    if (!equal(actual ?? null, expected)) throw new Invalid(`${where}: the test failed`);
  }

  /** The container that holds the path's last segment, as evanphx's findObject finds it. */
  #parent(path: string, where: string): Container {
    if (!path.startsWith("/")) throw new BadRequest(`${where}: a JSON pointer starts with "/"`);
    const parts = path.split("/").slice(1, -1);
    if (parts.length >= MAX_DEPTH)
      throw new BadRequest(`${where}: the path is deeper than ${MAX_DEPTH} levels`);
    let container = this.document as Container;
    for (const part of parts) {
      const next = get(container, unescapeSegment(part), where);
      if (!isObject(next) && !Array.isArray(next)) throw new Invalid(`${where}: the object has no ${path}`);
      container = next;
    }
    return container;
  }

  /** A value copied from the patch or the document, counted against the copy budget. */
  #budget(value: unknown): unknown {
    this.#copied += sizeOf(value);
    if (this.#copied > COPY_BUDGET) {
      throw new BadRequest(`the JSON patch copies more than ${COPY_BUDGET} values into the object`);
    }
    return clone(value);
  }

  /** Keeps the document within MAX_DEPTH, so nothing that recurses over it can run out of stack. */
  #placed(path: string, value: unknown): unknown {
    if (path.split("/").length - 1 + depthOf(value, MAX_DEPTH) > MAX_DEPTH) {
      throw new BadRequest(`the JSON patch would nest the object deeper than ${MAX_DEPTH} levels`);
    }
    return value;
  }
}

function text(operation: JsonObject, name: string, index: number): string {
  const value = own(operation, name);
  if (typeof value !== "string")
    throw new BadRequest(`JSON patch operation ${index} has no string "${name}"`);
  return value;
}

/** RFC 6901 unescaping, in evanphx's order: ~1 first, then ~0. */
const unescapeSegment = (segment: string) => segment.replaceAll("~1", "/").replaceAll("~0", "~");
const lastKey = (path: string) => unescapeSegment(path.slice(path.lastIndexOf("/") + 1));

/** Go's strconv.Atoi: an optional sign and decimal digits, in int64's range. */
function atoi(key: string, where: string): number {
  const value = /^[+-]?[0-9]+$/.test(key) ? Number(key) : Number.NaN;
  if (!Number.isSafeInteger(value))
    throw new Invalid(`${where}: ${JSON.stringify(key)} is not an array index`);
  return value;
}

/** An index into a list of `length`, negative ones counting from the end, as v4 allows. */
function index(key: string, length: number, where: string): number {
  const i = atoi(key, where);
  if (i >= length || i < -length) throw new Invalid(`${where}: index ${i} is outside the list`);
  return i < 0 ? i + length : i;
}

function get(container: Container, key: string, where: string): unknown {
  if (!Array.isArray(container)) return own(container, key);
  return container[index(key, container.length, where)];
}

function add(container: Container, key: string, value: unknown, where: string): void {
  if (!Array.isArray(container)) {
    put(container, key, value);
    return;
  }
  if (key === "-") {
    container.push(value);
    return;
  }
  container.splice(index(key, container.length + 1, where), 0, value);
}

function set(container: Container, key: string, value: unknown, where: string): void {
  if (Array.isArray(container)) container[index(key, container.length, where)] = value;
  else put(container, key, value);
}

function remove(container: Container, key: string, where: string): void {
  if (Array.isArray(container)) {
    container.splice(index(key, container.length, where), 1);
    return;
  }
  if (!has(container, key)) throw new Invalid(`${where}: there is no ${JSON.stringify(key)} to remove`);
  delete container[key];
}
