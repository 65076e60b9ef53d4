/**
 * Just enough protobuf encoding to send what a typed Go client sends when kubectl has no command
 * that would (a Secret with annotations, say): fields by number, maps as entries, and the
 * `k8s\0` runtime.Unknown envelope.
 */

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** One field: strings, Buffers and nested messages length-delimited; numbers and booleans as varints. */
export function field(number: number, value: string | Buffer | number | boolean): Buffer {
  if (typeof value === "number" || typeof value === "boolean") {
    return Buffer.concat([varint(number * 8), varint(Number(value))]);
  }
  const bytes = typeof value === "string" ? Buffer.from(value) : value;
  return Buffer.concat([varint(number * 8 + 2), varint(bytes.length), bytes]);
}

export const message = (...fields: Buffer[]): Buffer => Buffer.concat(fields);

/** A `map<string, string>` field. */
export function stringMap(number: number, entries: Record<string, string>): Buffer {
  return Buffer.concat(
    Object.entries(entries).map(([k, v]) => field(number, message(field(1, k), field(2, v)))),
  );
}

/** `application/vnd.kubernetes.protobuf` body: magic, then runtime.Unknown{typeMeta, raw}. */
export function protobufObject(apiVersion: string, kind: string, raw: Buffer): Buffer {
  const unknown = message(field(1, message(field(1, apiVersion), field(2, kind))), field(2, raw));
  return Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), unknown]);
}

export const PROTOBUF = "application/vnd.kubernetes.protobuf";
