/**
 * How the API server merges the lists of the guarded kinds, which a patch needs to be read the
 * way the server reads it. Strategic merge patch takes it from the Go structs' patchStrategy and
 * patchMergeKey tags; server-side apply from their listType, listMapKey and structType markers.
 * For the guarded kinds these are few: the rules and subjects that matter have neither a merge
 * key nor a list type other than atomic, so a patch replaces them whole.
 *
 * Paths are field names from the object's root; "*" stands for any element of a list.
 */
import { BadRequest } from "../../shared/errors.ts";
import type { JsonObject } from "./json-values.ts";
import { own, shown } from "./json-values.ts";

export const GUARDED_KINDS: ReadonlySet<string> = new Set([
  "TokenRequest",
  "Secret",
  "Role",
  "ClusterRole",
  "RoleBinding",
  "ClusterRoleBinding",
  "CertificateSigningRequest",
]);

const at = (path: readonly string[], ...expected: string[]) =>
  path.length === expected.length && expected.every((name, i) => path[i] === name);

/** The kind a patch applies to, when the guard knows how the server merges it. */
export function guardedKind(object: JsonObject, patchType: string): string {
  const kind = own(object, "kind");
  if (typeof kind === "string" && GUARDED_KINDS.has(kind)) return kind;
  throw new BadRequest(
    `the guard does not know how the API server merges a ${patchType} into kind ${shown(kind)}`,
  );
}

export interface ListStrategy {
  /** patchStrategy=merge; otherwise the patch's list replaces the object's. */
  merge: boolean;
  /** patchMergeKey, "" for a list of scalars. */
  mergeKey: string;
}

/** ObjectMeta's are the only merging lists in the guarded kinds (CSR conditions have no patchStrategy). */
export function strategicList(path: readonly string[]): ListStrategy {
  if (at(path, "metadata", "finalizers")) return { merge: true, mergeKey: "" };
  if (at(path, "metadata", "ownerReferences")) return { merge: true, mergeKey: "uid" };
  return { merge: false, mergeKey: "" };
}

/** An SSA list type: atomic (replaced whole), set (a union of scalars), or map (merged by keys). */
export type ApplyList = "atomic" | "set" | { keys: string[] };

export function applyList(kind: string, path: readonly string[]): ApplyList {
  if (at(path, "metadata", "finalizers")) return "set";
  if (at(path, "metadata", "ownerReferences")) return { keys: ["uid"] };
  if (kind === "CertificateSigningRequest" && at(path, "status", "conditions")) return { keys: ["type"] };
  return "atomic";
}

/** structType=atomic: an applied value replaces the struct whole instead of merging into it. */
export function atomicStruct(kind: string, path: readonly string[]): boolean {
  return (kind === "RoleBinding" || kind === "ClusterRoleBinding") && at(path, "roleRef");
}
