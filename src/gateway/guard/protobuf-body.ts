/**
 * A Kubernetes protobuf body: the 4 bytes `k8s\0`, then a runtime.Unknown (1 TypeMeta
 * {1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType) whose raw bytes are the
 * object's own message. The server decodes raw as protobuf whatever contentEncoding and
 * contentType say, so this does too. Since client-go 1.31 the typed clients behind `kubectl
 * create token`, `create secret`, `create rolebinding` and the like send nothing else.
 */
import { BadRequest } from "../../shared/errors.ts";
import type { JsonObject } from "./json-values.ts";
import { ProtobufDecoder, type Schema } from "./protobuf-decode.ts";
import { SCHEMAS } from "./protobuf-schemas.ts";
import { LENGTH_DELIMITED, malformed, WireReader } from "./protobuf-wire.ts";

export const PROTOBUF = "application/vnd.kubernetes.protobuf";
const MAGIC = Buffer.from("k8s\0", "latin1");
const TYPE_META: Schema = { 1: { name: "apiVersion", type: "string" }, 2: { name: "kind", type: "string" } };

export function readProtobuf(body: Buffer): { object: JsonObject; complete: boolean } {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new BadRequest(`the body is not Kubernetes protobuf: it does not begin with "k8s\\0"`);
  }
  if (body.length === MAGIC.length)
    throw new BadRequest("the protobuf body is empty after its k8s\\0 prefix");
  const decoder = new ProtobufDecoder();
  let typeMeta: JsonObject = {};
  let raw: Buffer = Buffer.alloc(0);
  const reader = new WireReader(body.subarray(MAGIC.length));
  while (!reader.done) {
    const { number, wire } = reader.key();
    if ((number === 1 || number === 2 || number === 3 || number === 4) && wire !== LENGTH_DELIMITED) {
      throw malformed(`runtime.Unknown field ${number} has wire type ${wire}`);
    }
    if (number === 1) typeMeta = decoder.message(reader.bytes(), TYPE_META, typeMeta);
    else if (number === 2) raw = reader.bytes();
    else if (number === 3 || number === 4)
      reader.bytes(); // contentEncoding, contentType: unused by the server
    else {
      decoder.complete = false;
      reader.skip(wire);
    }
  }
  const apiVersion = (typeMeta.apiVersion as string | undefined) ?? "";
  const kind = (typeMeta.kind as string | undefined) ?? "";
  if (!kind || !apiVersion) {
    throw new BadRequest("the protobuf body does not name its apiVersion and kind (its TypeMeta is empty)");
  }
  const schema = Object.hasOwn(SCHEMAS, `${apiVersion}/${kind}`)
    ? SCHEMAS[`${apiVersion}/${kind}`]
    : undefined;
  if (!schema) {
    throw new BadRequest(
      `the gateway's guard does not read ${apiVersion} ${kind} in protobuf; send it as application/json`,
    );
  }
  const object = decoder.message(raw, schema, { apiVersion, kind });
  return { object, complete: decoder.complete };
}
