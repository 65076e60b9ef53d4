/**
 * What the API server knows about a kind's shape from its Go types, as far as merging goes:
 * the `patchStrategy`/`patchMergeKey` tags strategic merge patch reads, and the
 * `+listType`/`+listMapKey`/`+structType`/`+mapType` markers server-side apply reads. A field
 * the schema does not describe is "deduced" as structured-merge-diff does for unknown shapes:
 * maps merge key by key, lists are atomic.
 */

export interface ScalarSchema {
  kind: "scalar";
}

export interface MapSchema {
  kind: "map";
  /** The declared fields of a struct. */
  fields?: Record<string, Schema>;
  /** The element type of a `map[string]X` (and of a struct's undeclared keys). */
  values?: Schema;
  /** `+structType=atomic` / `+mapType=atomic`: replaced and owned as a whole. */
  atomic?: boolean;
  /** `patchStrategy:"retainKeys"` on the struct (strategic merge patch only). */
  retainKeys?: boolean;
}

export interface ListSchema {
  kind: "list";
  items: Schema;
  /** `+listType`: atomic unless told. */
  listType: "atomic" | "set" | "map";
  /** `+listMapKey` (listType map). */
  keys?: string[];
  /** `patchStrategy:"merge"` (lists without it are replaced whole by strategic merge patch). */
  patchMerge?: boolean;
  /** `patchMergeKey` (lists of objects with patchMerge). */
  mergeKey?: string;
  /** `patchStrategy:"merge,retainKeys"`. */
  retainKeys?: boolean;
}

export interface DeducedSchema {
  kind: "deduced";
}

export type Schema = ScalarSchema | MapSchema | ListSchema | DeducedSchema;

export const SCALAR: ScalarSchema = { kind: "scalar" };
export const DEDUCED: DeducedSchema = { kind: "deduced" };

export const struct = (fields: Record<string, Schema>, extra: Partial<MapSchema> = {}): MapSchema => ({
  kind: "map",
  fields,
  ...extra,
});
export const mapOf = (values: Schema): MapSchema => ({ kind: "map", values });
export const atomicList = (items: Schema = SCALAR): ListSchema => ({
  kind: "list",
  items,
  listType: "atomic",
});
/** `+listType=set`, optionally with `patchStrategy:"merge"` (a list of scalars). */
export const setList = (patchMerge = false): ListSchema => ({
  kind: "list",
  items: SCALAR,
  listType: "set",
  patchMerge,
});
/** `+listType=map` with `+listMapKey`s; `mergeKey` when it also has `patchStrategy:"merge"`. */
export const mapList = (
  keys: string[],
  items: Schema,
  mergeKey?: string,
  extra: Partial<ListSchema> = {},
): ListSchema => ({
  kind: "list",
  items,
  listType: "map",
  keys,
  patchMerge: mergeKey !== undefined,
  ...(mergeKey !== undefined ? { mergeKey } : {}),
  ...extra,
});

export function isPlainValue(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A deduced schema made concrete by the value it describes. */
export function resolve(schema: Schema, value: unknown): Exclude<Schema, DeducedSchema> {
  if (schema.kind !== "deduced") return schema;
  if (isPlainValue(value)) return { kind: "map", values: DEDUCED };
  if (Array.isArray(value)) return { kind: "list", items: DEDUCED, listType: "atomic" };
  return SCALAR;
}

/** The schema of `key` in a map or struct. */
export function fieldSchema(schema: MapSchema, key: string): Schema {
  return schema.fields?.[key] ?? schema.values ?? DEDUCED;
}

/** Whether `key` is a declared struct field (as opposed to a key of a `map[string]X`). */
export function isDeclaredField(schema: MapSchema, key: string): boolean {
  return schema.fields !== undefined && Object.hasOwn(schema.fields, key);
}
