/**
 * A YAML body read the way the API server reads it: one document, turned into JSON by
 * sigs.k8s.io/yaml (go-yaml v2 underneath). The `yaml` package parses; its failsafe schema keeps
 * every scalar as text, and yaml-scalars.ts gives plain scalars go-yaml's meaning. What go-yaml
 * does differently from YAML 1.2 and the guard cannot mirror for certain — merge keys (`<<`, whose
 * precedence go-yaml v2 gets backwards), explicit tags — is refused, not guessed.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Scalar } from "yaml";
import { BadRequest } from "../../shared/errors.ts";
import { has, type JsonObject, MAX_DEPTH, put } from "./json-values.ts";
import { keyOf, type Resolved, resolvePlain } from "./yaml-scalars.ts";

/** Aliases may repeat a subtree many times over ("billion laughs"); this bounds what they expand to. */
const MAX_VALUES = 1_000_000;
const STR = "tag:yaml.org,2002:str";
const COLLECTION_TAGS = new Set(["tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"]);

export function readYaml(text: string): unknown {
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, { schema: "failsafe", merge: false, uniqueKeys: false });
  } catch (err) {
    if (err instanceof RangeError) throw new BadRequest("the YAML body nests too deeply to read");
    throw err;
  }
  if (docs.length === 0) throw new BadRequest("the YAML body holds no document");
  if (docs.length > 1) {
    throw new BadRequest(`the YAML body holds ${docs.length} documents; send one object per request`);
  }
  const doc = docs[0]!;
  const error = doc.errors[0];
  if (error?.message.includes("call stack")) throw new BadRequest("the YAML body nests too deeply to read");
  if (error) throw new BadRequest(`the body is not valid YAML: ${error.message.split("\n")[0]}`);
  return new YamlToJson(doc.contents).value(doc.contents, 0);
}

class YamlToJson {
  #values = 0;
  /** What each alias stands for: the last node before it with its anchor, as go-yaml resolves it. */
  #aliases = new Map<unknown, unknown>();

  constructor(root: unknown) {
    // One pass in document order, without recursion: deep input cannot overflow the stack here,
    // and value() below refuses it before recursing far.
    const anchors = new Map<string, unknown>();
    const stack: unknown[] = [root];
    while (stack.length > 0) {
      const node = stack.pop();
      if (isAlias(node)) {
        this.#aliases.set(node, anchors.get(node.source));
        continue;
      }
      const anchor = (node as { anchor?: string } | null)?.anchor;
      if (anchor) anchors.set(anchor, node);
      const children = isMap(node)
        ? node.items.flatMap((pair) => [pair.key, pair.value])
        : isSeq(node)
          ? node.items
          : [];
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    }
  }

  value(node: unknown, depth: number): unknown {
    if (++this.#values > MAX_VALUES) {
      throw new BadRequest(`the YAML body expands to more than ${MAX_VALUES} values (through aliases)`);
    }
    if (depth > MAX_DEPTH) throw new BadRequest(`the YAML body nests deeper than ${MAX_DEPTH} levels`);
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return this.value(this.#target(node), depth);
    if (isScalar(node)) return jsonValue(resolveScalar(node));
    if (isMap(node)) {
      checkCollectionTag(node.tag);
      const out: JsonObject = {};
      for (const pair of node.items) {
        if (!isPair(pair)) throw new BadRequest("the YAML body holds a map entry the guard cannot read");
        const key = this.#key(pair.key);
        if (has(out, key))
          throw new BadRequest(`the YAML body repeats the key ${JSON.stringify(key)} in one map`);
        put(out, key, this.value(pair.value, depth + 1));
      }
      return out;
    }
    if (isSeq(node)) {
      checkCollectionTag(node.tag);
      return node.items.map((item) => this.value(item, depth + 1));
    }
    throw new BadRequest("the YAML body holds a node the guard cannot read");
  }

  #target(alias: unknown): unknown {
    const target = this.#aliases.get(alias);
    if (target === undefined)
      throw new BadRequest("the YAML body uses an alias whose anchor is not defined before it");
    return target;
  }

  #key(node: unknown): string {
    const keyNode = isAlias(node) ? this.#target(node) : node;
    if (!isScalar(keyNode)) {
      throw new BadRequest(
        keyNode === null || keyNode === undefined
          ? "the YAML body has a map key that is null; the API server refuses it"
          : "the YAML body has a map key that is a map or a list; JSON keys are strings",
      );
    }
    if (keyNode.type === "PLAIN" && keyNode.tag === undefined && keyNode.value === "<<") {
      throw new BadRequest("the guard does not read YAML merge keys (<<); write the fields out");
    }
    const key = keyOf(resolveScalar(keyNode));
    if (typeof key === "string") return key;
    throw new BadRequest(`the YAML map key ${JSON.stringify(keyNode.value)} ${key.refused}; quote it`);
  }
}

function resolveScalar(node: Scalar): Resolved {
  const text = node.value === null || node.value === undefined ? "" : String(node.value);
  if (node.tag === STR) return { kind: "string", value: text };
  if (node.tag !== undefined) {
    throw new BadRequest(`the guard does not read the YAML tag ${node.tag}; write the value without it`);
  }
  // Quoted and block scalars are strings; only plain ones are resolved.
  return node.type === "PLAIN" || node.type === undefined
    ? resolvePlain(text)
    : { kind: "string", value: text };
}

function checkCollectionTag(tag: string | undefined): void {
  if (tag !== undefined && !COLLECTION_TAGS.has(tag)) {
    throw new BadRequest(`the guard does not read the YAML tag ${tag}; write the value without it`);
  }
}

function jsonValue(resolved: Resolved): unknown {
  switch (resolved.kind) {
    case "null":
      return null;
    case "int":
      // Past 2^53 a JSON number in JavaScript is approximate; no field the guard judges gets near.
      return Number(resolved.value);
    case "float":
      if (!Number.isFinite(resolved.value)) {
        throw new BadRequest(
          "the YAML body holds .inf or .nan, which has no JSON form; the API server refuses it",
        );
      }
      return resolved.value;
    default:
      return resolved.value;
  }
}
