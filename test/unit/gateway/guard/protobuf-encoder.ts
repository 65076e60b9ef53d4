/**
 * A protobuf encoder just big enough to build request bodies for the guard's tests: fields by
 * number, so a test can write what no real client would (repeated messages, unknown numbers,
 * wrong wire types, over-long varints) as easily as what kubectl sends.
 */

/** A varint of the value's low 64 bits (negative numbers as Go writes them: ten bytes). */
export function varint(value: number | bigint): Buffer {
  let rest = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest > 0n ? low | 0x80 : low);
  } while (rest > 0n);
  return Buffer.from(bytes);
}

export const key = (number: number, wire: number): Buffer => varint((BigInt(number) << 3n) | BigInt(wire));

/** A length-delimited field: a string, bytes, or an embedded message's encoding. */
export function bytes(number: number, payload: string | Buffer): Buffer {
  const data = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  return Buffer.concat([key(number, 2), varint(data.length), data]);
}

export const message = (number: number, ...fields: Buffer[]): Buffer => bytes(number, Buffer.concat(fields));

export const number = (field: number, value: number | bigint | boolean): Buffer =>
  Buffer.concat([key(field, 0), varint(typeof value === "boolean" ? Number(value) : value)]);

/** A map<string, V> entry: key = 1, value = 2 (already encoded as a field). */
export const entry = (field: number, mapKey: string, value: Buffer): Buffer =>
  message(field, bytes(1, mapKey), value);

export const MAGIC = Buffer.from("k8s\0", "latin1");

/** The k8s\0 + runtime.Unknown envelope, as client-go writes it (empty encoding and type included). */
export function envelope(apiVersion: string, kind: string, raw: Buffer, ...extra: Buffer[]): Buffer {
  return Buffer.concat([
    MAGIC,
    message(1, bytes(1, apiVersion), bytes(2, kind)),
    bytes(2, raw),
    bytes(3, ""),
    bytes(4, ""),
    ...extra,
  ]);
}

/** ObjectMeta with a name and namespace, and the empty fields the Go marshaller always writes. */
export const objectMeta = (name: string, namespace = ""): Buffer =>
  message(
    1,
    bytes(1, name),
    bytes(2, ""),
    bytes(3, namespace),
    bytes(4, ""),
    bytes(5, ""),
    bytes(6, ""),
    number(7, 0),
    bytes(8, ""),
  );
