/**
 * PATCH requests: the four patch types the API server takes for built-in kinds, their bodies,
 * and the PatchOptions it checks first (`fieldManager` required for apply, `force` only for
 * apply). JSON patch, merge patch and strategic merge patch are in patch/; server-side apply
 * (`application/apply-patch+yaml`) goes through the field manager (managed-fields/).
 */
import { parse as parseYaml } from "yaml";
import { isPlainObject } from "./objects.ts";
import { jsonPatch } from "./patch/json-patch.ts";
import { mergePatch } from "./patch/merge-patch.ts";
import { strategicMergePatch } from "./patch/strategic-merge-patch.ts";
import type { MapSchema } from "./schema/schema.ts";
import {
  badRequest,
  type FieldError,
  fieldForbidden,
  fieldRequired,
  invalid,
  StatusError,
} from "./status.ts";

export type PatchType = "merge" | "strategic" | "json" | "apply";

/** In the order the API server lists them for built-in kinds. */
const TYPES: Record<string, PatchType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
};

export function patchTypeOf(contentType: string | undefined): PatchType {
  const mediaType = (contentType ?? "").split(";")[0]!.trim();
  if (Object.hasOwn(TYPES, mediaType)) return TYPES[mediaType]!;
  throw new StatusError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${Object.keys(TYPES).join(", ")}`,
  );
}

/** FieldManagerMaxLength and the printable-characters rule of ValidateFieldManager. */
export function fieldManagerErrors(manager: string): FieldError[] {
  if (manager.length > 128) {
    return [
      { type: "FieldValueTooLong", field: "fieldManager", body: "Too long: may not be more than 128 bytes" },
    ];
  }
  for (const char of manager) {
    if (!/\P{C}/u.test(char)) {
      return [
        {
          type: "FieldValueInvalid",
          field: "fieldManager",
          body: `Invalid value: ${JSON.stringify(manager)}: invalid characters`,
        },
      ];
    }
  }
  return [];
}

export interface PatchOptions {
  fieldManager: string;
  force: boolean;
}

/** ValidatePatchOptions, answered like the API server (422 on PatchOptions.meta.k8s.io). */
export function patchOptions(url: URL, type: PatchType): PatchOptions {
  const fieldManager = url.searchParams.get("fieldManager") ?? "";
  const forceParam = url.searchParams.get("force");
  const errors: FieldError[] = [];
  if (type !== "apply") {
    if (forceParam !== null) errors.push(fieldForbidden("force", "may not be specified for non-apply patch"));
  } else if (!fieldManager) {
    errors.push(fieldRequired("fieldManager", "is required for apply patch"));
  }
  errors.push(...fieldManagerErrors(fieldManager));
  if (errors.length) throw invalid("PatchOptions", "meta.k8s.io", "", errors);
  const force = forceParam !== null && /^(1|t|T|TRUE|true|True)$/.test(forceParam);
  return { fieldManager, force };
}

/** The patch document; a body that does not decode is a 400, as there. */
export function parsePatchBody(type: PatchType, text: string): unknown {
  if (type === "apply") {
    let body: unknown;
    try {
      body = parseYaml(text);
    } catch (err) {
      throw badRequest(`error decoding YAML: ${(err as Error).message}`);
    }
    if (!isPlainObject(body)) {
      const what = Array.isArray(body) ? "array" : typeof body;
      throw badRequest(
        `error decoding YAML: json: cannot unmarshal ${what} into Go value of type map[string]interface {}`,
      );
    }
    return body;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
}

/** A JSON, merge or strategic merge patch applied to the live object (JSON as the server encodes it). */
export function applyPatch(
  type: Exclude<PatchType, "apply">,
  current: unknown,
  patch: unknown,
  schema: MapSchema,
) {
  if (type === "json") return jsonPatch(current, patch);
  if (type === "merge") return mergePatch(current, patch);
  return strategicMergePatch(current, patch, schema);
}
