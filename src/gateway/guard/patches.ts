/**
 * The object a PATCH leaves behind, as the API server will make it, for the guard to judge:
 * the object as it is now (undefined when it does not exist), the patch type from the
 * Content-Type, and the patch body. Each type follows the server's own library: JSON patch and
 * merge patch evanphx/json-patch (json-patch.ts, merge-patch.ts), strategic merge patch
 * apimachinery's strategicpatch (strategic-merge-patch.ts), server-side apply the structured
 * merge of the guarded kinds (apply-patch.ts).
 */
import { BadRequest, NotFound } from "../../shared/errors.ts";
import { applyConfiguration } from "./apply-patch.ts";
import { applyJsonPatch } from "./json-patch.ts";
import { assertDepth, type JsonObject } from "./json-values.ts";
import { applyMergePatch } from "./merge-patch.ts";
import { checkSize, mediaType, parseJson, readText } from "./request-body.ts";
import { applyStrategicMergePatch } from "./strategic-merge-patch.ts";
import { readYaml } from "./yaml-body.ts";

export type PatchType = "json" | "merge" | "strategic" | "apply";

const PATCH_TYPES: Readonly<Record<string, PatchType>> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
};

export function patchTypeOf(contentType: string): PatchType {
  const type = mediaType(contentType);
  if (Object.hasOwn(PATCH_TYPES, type)) return PATCH_TYPES[type]!;
  throw new BadRequest(
    `a PATCH is sent as one of ${Object.keys(PATCH_TYPES).join(", ")}, not ${JSON.stringify(contentType)}`,
  );
}

/**
 * A patch body read as the server reads it: JSON for the JSON-based types; for apply YAML, which
 * the server reads with go-yaml whether the body is YAML or JSON (kubectl sends JSON).
 */
export function readPatch(contentType: string, body: Buffer): { type: PatchType; patch: unknown } {
  const type = patchTypeOf(contentType);
  checkSize(body);
  return { type, patch: type === "apply" ? readYaml(readText(body)) : parseJson(body) };
}

export function patched(current: JsonObject | undefined, type: PatchType, patch: unknown): JsonObject {
  // Bounded here too, so that values handed in from elsewhere cannot recurse the mergers deep.
  if (current !== undefined) assertDepth(current, "the object");
  assertDepth(patch, "the patch");
  if (type === "apply") return applyConfiguration(current, patch);
  if (current === undefined) {
    // The server answers NotFound: only server-side apply creates an object with a PATCH.
    throw new NotFound("the object to patch does not exist");
  }
  if (type === "json") return applyJsonPatch(current, patch);
  if (type === "merge") return applyMergePatch(current, patch);
  return applyStrategicMergePatch(current, patch);
}
