/**
 * Decoding a protobuf message into the JSON the API server would show for it, by a schema of
 * field numbers (protobuf-schemas.ts). It follows the generated Go code where a shortcut would
 * read something else than the server: a message field that appears twice is merged, not
 * replaced; a repeated field appends; a scalar's last occurrence wins; a map's later entry for
 * a key wins. A field number the schema does not know is stepped over, as Go does, and marks
 * the result incomplete so that nobody re-encodes it as if it were whole.
 */
import { BadRequest } from "../../shared/errors.ts";
import { assertDepth, type JsonObject, own, put } from "./json-values.ts";
import { LENGTH_DELIMITED, malformed, VARINT, WireReader } from "./protobuf-wire.ts";

/**
 * `time` is metav1.Time (a Timestamp), `fieldsV1` managedFields' raw JSON, `strings` the
 * ExtraValue message (repeated string items = 1) that JSON shows as a plain list.
 */
export type Scalar = "string" | "bytes" | "bool" | "int32" | "int64" | "time" | "fieldsV1" | "strings";

export interface Field {
  /** The JSON name. */
  name: string;
  type: Scalar | Schema;
  repeated?: true;
  /** A map<string, V>: entries with key = 1 and value = 2, V being this type. */
  map?: Scalar | Schema;
  /** A Go pointer: a zero value is still shown, where `omitempty` would hide it. */
  pointer?: true;
}

export type Schema = { readonly [number: number]: Field };

const utf8 = new TextDecoder("utf-8", { fatal: true });
const TIMESTAMP: Schema = { 1: { name: "seconds", type: "int64" }, 2: { name: "nanos", type: "int32" } };
const RAW: Schema = { 1: { name: "raw", type: "bytes" } };
const ITEMS: Schema = { 1: { name: "items", type: "string", repeated: true } };

const wireOf = (type: Scalar | Schema): number =>
  type === "bool" || type === "int32" || type === "int64" ? VARINT : LENGTH_DELIMITED;

export class ProtobufDecoder {
  /** False once any message held a field number its schema does not know. */
  complete = true;

  /** Decodes `buf` into `into` (merging, as Go does when a message field repeats). */
  message(buf: Buffer, schema: Schema, into: JsonObject = {}): JsonObject {
    const reader = new WireReader(buf);
    while (!reader.done) {
      const { number, wire } = reader.key();
      const field = Object.hasOwn(schema, number) ? schema[number] : undefined;
      if (!field) {
        this.complete = false;
        reader.skip(wire);
        continue;
      }
      const type = field.map ? LENGTH_DELIMITED : wireOf(field.type);
      if (wire !== type) throw malformed(`${field.name} has wire type ${wire}, not ${type}`);
      if (field.map) this.#mapEntry(into, field, field.map, reader.bytes());
      else if (field.repeated) this.#list(into, field.name).push(this.#value(field, reader));
      else if (typeof field.type === "object") {
        const existing = own(into, field.name) as JsonObject | undefined;
        put(into, field.name, this.message(reader.bytes(), field.type, existing ?? {}));
      } else put(into, field.name, this.#value(field, reader));
    }
    omitEmpty(into, schema);
    return into;
  }

  #value(field: Field, reader: WireReader): unknown {
    const type = field.type;
    if (typeof type === "object") return this.message(reader.bytes(), type);
    if (type === "bool") return reader.bool();
    if (type === "int32") return reader.int32();
    if (type === "int64") return reader.int64();
    return this.#bytesValue(type, field.name, reader.bytes());
  }

  #bytesValue(type: Scalar | Schema, name: string, bytes: Buffer): unknown {
    if (typeof type === "object") return this.message(bytes, type);
    if (type === "string") return text(bytes, name);
    if (type === "bytes") return bytes.toString("base64");
    if (type === "time") return this.#time(bytes);
    if (type === "fieldsV1") return this.#fieldsV1(bytes);
    if (type === "strings") return (this.message(bytes, ITEMS).items as string[] | undefined) ?? [];
    throw malformed(`${name} is a ${type} inside a length-delimited value`);
  }

  #list(into: JsonObject, name: string): unknown[] {
    const existing = own(into, name) as unknown[] | undefined;
    if (existing) return existing;
    const list: unknown[] = [];
    put(into, name, list);
    return list;
  }

  #mapEntry(into: JsonObject, field: Field, valueType: Scalar | Schema, entry: Buffer): void {
    let key = "";
    let value: unknown;
    const reader = new WireReader(entry);
    while (!reader.done) {
      const { number, wire } = reader.key();
      if (number === 1 && wire === LENGTH_DELIMITED) key = text(reader.bytes(), `${field.name} key`);
      else if (number === 2 && wire === wireOf(valueType)) {
        value =
          valueType === "bool" || valueType === "int32" || valueType === "int64"
            ? this.#value({ name: field.name, type: valueType }, reader)
            : this.#bytesValue(valueType, field.name, reader.bytes());
      } else if (number === 1 || number === 2) throw malformed(`a ${field.name} entry has wire type ${wire}`);
      else {
        this.complete = false;
        reader.skip(wire);
      }
    }
    const map = (own(into, field.name) as JsonObject | undefined) ?? {};
    put(into, field.name, map);
    put(map, key, value ?? zeroOf(valueType));
  }

  /** metav1.Time: JSON shows whole seconds in UTC, and nothing for the zero (empty) time. */
  #time(bytes: Buffer): string | undefined {
    if (bytes.length === 0) return undefined;
    const { seconds = 0, nanos = 0 } = this.message(bytes, TIMESTAMP, {}) as {
      seconds?: number;
      nanos?: number;
    };
    // time.Unix carries nanoseconds outside [0, 1e9) into the seconds.
    const date = new Date((seconds + Math.floor(nanos / 1e9)) * 1000);
    const year = date.getUTCFullYear();
    if (Number.isNaN(year) || year < 0 || year > 9999) {
      throw new BadRequest("the protobuf body holds a timestamp outside the years 0 to 9999");
    }
    return `${date.toISOString().slice(0, 19)}Z`;
  }

  /** FieldsV1's JSON form is its raw bytes, which hold JSON. */
  #fieldsV1(bytes: Buffer): unknown {
    const raw = this.message(bytes, RAW, {}).raw as string | undefined;
    if (!raw) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text(Buffer.from(raw, "base64"), "fieldsV1"));
    } catch (err) {
      if (err instanceof BadRequest) throw err;
      throw malformed("a managedFields entry's fieldsV1 is not JSON");
    }
    assertDepth(value, "a managedFields entry's fieldsV1");
    return value;
  }
}

function text(bytes: Buffer, name: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw malformed(`${name} is not valid UTF-8`);
  }
}

function zeroOf(type: Scalar | Schema): unknown {
  if (typeof type === "object") return {};
  if (type === "bool") return false;
  if (type === "int32" || type === "int64") return 0;
  if (type === "strings") return [];
  return "";
}

/** Go's `omitempty`: the JSON the server writes leaves out zero scalars that are not pointers. */
function omitEmpty(into: JsonObject, schema: Schema): void {
  for (const field of Object.values(schema)) {
    const value = own(into, field.name);
    const scalar = !field.pointer && !field.repeated && !field.map && typeof field.type !== "object";
    if (value === undefined || (scalar && (value === "" || value === 0 || value === false))) {
      delete into[field.name];
    }
  }
}
