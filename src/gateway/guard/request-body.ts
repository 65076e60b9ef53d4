/**
 * Reading a request body the way the API server will, so the persistence guard judges the
 * object the server is about to store and not a look-alike: JSON, YAML (go-yaml's rules, see
 * yaml-body.ts) and Kubernetes protobuf (protobuf-body.ts). Every refusal is a BadRequest whose
 * message says what to change; the guard answers it as a 400 Status.
 */
import { BadRequest } from "../../shared/errors.ts";
import { assertDepth, isObject, type JsonObject } from "./json-values.ts";
import { PROTOBUF, readProtobuf } from "./protobuf-body.ts";
import { readYaml } from "./yaml-body.ts";

export type BodyFormat = "json" | "yaml" | "protobuf";

export interface GuardedBody {
  /** The object in its JSON shape, as the server's JSON for it would look. */
  object: JsonObject;
  format: BodyFormat;
  /**
   * False when a protobuf message held a field number the guard's schema does not know: the
   * object is right about what it shows, but re-encoding it would drop something, so a caller
   * must forward the original bytes, never a rewrite.
   */
  complete: boolean;
}

/** Far above what the guarded kinds need, and checked before any decoding. */
export const MAX_BODY_BYTES = 1024 * 1024;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The media type of a Content-Type header: lower case, parameters (charset=…) dropped. */
export function mediaType(contentType: string): string {
  return (contentType.split(";")[0] ?? "").trim().toLowerCase();
}

export function checkSize(body: Buffer): void {
  if (body.length > MAX_BODY_BYTES) {
    throw new BadRequest(
      `the request body is ${body.length} bytes; the gateway reads at most ${MAX_BODY_BYTES}`,
    );
  }
}

export function readObject(contentType: string, body: Buffer): GuardedBody {
  checkSize(body);
  const type = mediaType(contentType);
  if (type === "application/json") {
    return { object: topObject(parseJson(body), "JSON"), format: "json", complete: true };
  }
  if (type === "application/yaml") {
    return { object: topObject(readYaml(readText(body)), "YAML"), format: "yaml", complete: true };
  }
  if (type === PROTOBUF) return { ...readProtobuf(body), format: "protobuf" };
  throw new BadRequest(
    `the gateway reads request bodies sent as application/json, application/yaml or ${PROTOBUF}, ` +
      `not ${JSON.stringify(contentType)}`,
  );
}

export function readText(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new BadRequest("the request body is not valid UTF-8");
  }
}

/** JSON.parse, as Go's encoding/json reads the same text: a repeated key's last value wins. */
export function parseJson(body: Buffer): unknown {
  const text = readText(body);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BadRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
  assertDepth(value, "the request body");
  return value;
}

function topObject(value: unknown, format: string): JsonObject {
  if (!isObject(value))
    throw new BadRequest(`the ${format} body must be an object, with apiVersion and kind`);
  return value;
}
