import { LENGTH_DELIMITED, WireReader } from "./guard/protobuf-wire.ts";

const MAGIC = Buffer.from("k8s\0", "latin1");

/**
 * The name of the object a create made, from the cluster's answer: the request went to the
 * collection, so only the answer says (generateName included). JSON, or the protobuf typed
 * clients ask for — where every object's field 1 is its ObjectMeta, whose field 1 is the
 * name — read without a schema.
 */
export function createdName(contentType: string, body: Buffer): string | undefined {
  try {
    if (contentType.startsWith("application/json")) {
      const object = JSON.parse(body.toString("utf8")) as { metadata?: { name?: unknown } };
      return typeof object.metadata?.name === "string" ? object.metadata.name : undefined;
    }
    if (contentType.startsWith("application/vnd.kubernetes.protobuf") && body.subarray(0, 4).equals(MAGIC)) {
      // runtime.Unknown's field 2 is the object; the object's field 1 its metadata.
      const object = field(body.subarray(4), 2);
      const meta = object && field(object, 1);
      return meta && field(meta, 1)?.toString("utf8");
    }
  } catch {
    // Not what a create answers: the record keeps no name.
  }
  return undefined;
}

/** The bytes of length-delimited field `wanted` of a message, or undefined. */
function field(message: Buffer, wanted: number): Buffer | undefined {
  const reader = new WireReader(message);
  while (!reader.done) {
    const { number, wire } = reader.key();
    if (number === wanted && wire === LENGTH_DELIMITED) return reader.bytes();
    reader.skip(wire);
  }
  return undefined;
}
