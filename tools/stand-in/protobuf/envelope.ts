/** The `k8s\0` + runtime.Unknown envelope around a protobuf object, unwrapped into JSON. */
import { badRequest, StatusError } from "../status.ts";
import { SCHEMAS } from "./schemas.ts";
import { decodeMessage } from "./wire.ts";

export const PROTOBUF = "application/vnd.kubernetes.protobuf";
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const UNKNOWN = {
  1: {
    name: "typeMeta",
    type: { 1: { name: "apiVersion", type: "string" }, 2: { name: "kind", type: "string" } },
  },
  2: { name: "raw", type: "bytes" },
} as const;

export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (!body.subarray(0, 4).equals(MAGIC)) throw badRequest("protobuf: missing the k8s envelope");
  const unknown = decodeMessage(body.subarray(4), UNKNOWN);
  const { apiVersion = "", kind = "" } = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const schema = SCHEMAS[`${apiVersion}/${kind}`];
  if (!schema) {
    throw new StatusError(
      415,
      "UnsupportedMediaType",
      `the stand-in does not decode protobuf for ${apiVersion}/${kind}; send application/json`,
    );
  }
  const raw = Buffer.from(String(unknown.raw ?? ""), "base64");
  return { apiVersion, kind, ...decodeMessage(raw, schema) };
}
