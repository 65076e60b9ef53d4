/**
 * Reading Kubernetes protobuf request bodies. Since client-go 1.31 the typed clients (so
 * `kubectl create configmap`, `create token`, `auth can-i`, `auth whoami`, …) send
 * `application/vnd.kubernetes.protobuf` and nothing else, so a stand-in that spoke only JSON
 * would fail them. This decodes the `k8s\0` envelope (runtime.Unknown) and the messages in
 * schemas.ts into the JSON shape the rest of the stand-in handles. Answers stay JSON, which
 * every client accepts.
 */
import { badRequest } from "../status.ts";

/**
 * `time` is a metav1.Time message (RFC 3339 in JSON, dropped when zero); `fieldsV1` a
 * metav1.FieldsV1 message, whose raw bytes are the JSON tree.
 */
export type Scalar = "string" | "int64" | "bool" | "bytes" | "time" | "fieldsV1";

export interface Field {
  name: string;
  type: Scalar | Schema;
  repeated?: boolean;
  /** A non-pointer Go integer: zero means unset (JSON omits it), unlike a pointer's explicit 0. */
  omitZero?: boolean;
  /** A protobuf map: entries with key (1) and value (2) of this type. */
  map?: Scalar | Schema;
}

export type Schema = { [field: number]: Field };

class Reader {
  #buf: Buffer;
  pos = 0;

  constructor(buf: Buffer) {
    this.#buf = buf;
  }

  get done(): boolean {
    return this.pos >= this.#buf.length;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (this.done) throw badRequest("protobuf: truncated varint");
      const byte = this.#buf[this.pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  }

  bytes(length: number): Buffer {
    if (this.pos + length > this.#buf.length) throw badRequest("protobuf: truncated field");
    const out = this.#buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** The next field: its number and raw value (a number for varints, bytes otherwise). */
  field(): { number: number; value: number | Buffer } {
    const key = this.varint();
    const wire = key % 8;
    const number = Math.floor(key / 8);
    if (wire === 0) return { number, value: this.varint() };
    if (wire === 1) return { number, value: this.bytes(8) };
    if (wire === 2) return { number, value: this.bytes(this.varint()) };
    if (wire === 5) return { number, value: this.bytes(4) };
    throw badRequest(`protobuf: unsupported wire type ${wire}`);
  }
}

const TIME: Schema = { 1: { name: "seconds", type: "int64" }, 2: { name: "nanos", type: "int64" } };

function convert(type: Scalar | Schema, value: number | Buffer): unknown {
  if (typeof type !== "string") return decodeMessage(value as Buffer, type);
  if (type === "time") {
    const seconds = Number(decodeMessage(value as Buffer, TIME).seconds ?? 0);
    return seconds ? new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z") : "";
  }
  if (type === "fieldsV1") {
    const raw = Buffer.from(
      String(decodeMessage(value as Buffer, { 1: { name: "raw", type: "bytes" } }).raw ?? ""),
      "base64",
    );
    try {
      return JSON.parse(raw.toString("utf8"));
    } catch {
      throw badRequest("protobuf: fieldsV1 is not JSON");
    }
  }
  if (type === "string") return (value as Buffer).toString("utf8");
  if (type === "bytes") return (value as Buffer).toString("base64");
  if (type === "bool") return value !== 0;
  return typeof value === "number" ? value : Number((value as Buffer).readBigInt64LE());
}

const MAP_ENTRY = (value: Scalar | Schema): Schema => ({
  1: { name: "key", type: "string" },
  2: { name: "value", type: value },
});

export function decodeMessage(buf: Buffer, schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const reader = new Reader(buf);
  while (!reader.done) {
    const { number, value } = reader.field();
    const field = schema[number];
    if (!field) continue;
    if (field.map) {
      const entry = decodeMessage(value as Buffer, MAP_ENTRY(field.map));
      const map = (out[field.name] ?? {}) as Record<string, unknown>;
      out[field.name] = map;
      // defineProperty, so a key such as "__proto__" is data, as it is in JSON.
      Object.defineProperty(map, String(entry.key ?? ""), {
        value: entry.value ?? (field.map === "string" || field.map === "bytes" ? "" : {}),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else if (field.repeated) {
      out[field.name] = [...((out[field.name] as unknown[] | undefined) ?? []), convert(field.type, value)];
    } else {
      // Go's `omitempty`: the marshaller writes empty strings and messages that JSON would leave out.
      const converted = convert(field.type, value);
      const empty =
        converted === "" ||
        (field.omitZero && converted === 0) ||
        (typeof converted === "object" && Object.keys(converted as object).length === 0);
      if (!empty) out[field.name] = converted;
    }
  }
  return out;
}
