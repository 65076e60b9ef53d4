/**
 * The field manager every write goes through (apiserver fieldmanager, 1.32): an update gives its
 * manager the fields it changed and takes them from everyone else; an apply (server-side apply)
 * merges the configuration into the live object, prunes what the applier set last time and no
 * longer sets (unless someone else owns it), and refuses to change fields another manager owns
 * with a 409 listing the conflicts unless `force`. As there: objects that never had managed
 * fields stay untracked by updates, the first apply to such an object gives their fields to
 * "before-first-apply", the kubectl applier may take over what `kubectl apply`'s last-applied
 * annotation says, and keeps that annotation current. Not modelled: capping updaters at ten.
 */
import type { KindInfo } from "../kinds.ts";
import { apiVersionOf } from "../kinds.ts";
import { clone, type KubeObject, sameJson } from "../objects.ts";
import { kindSchema } from "../schema/kind-schemas.ts";
import { StatusError } from "../status.ts";
import {
  describePath,
  type FieldPath,
  type FieldSet,
  fieldPath,
  intersect,
  minus,
  union,
  withNamedFields,
  without,
} from "./field-paths.ts";
import {
  decodeManagers,
  describeManager,
  encodeManagers,
  identifierOf,
  type ManagerEntry,
  type Managers,
  now,
} from "./managed-entries.ts";
import { compare, mergeValue, removeSubtrees, toFieldSet } from "./typed-value.ts";

export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const BEFORE_FIRST_APPLY = "before-first-apply";

/** stripMetaManager's set: type and system metadata are nobody's. */
const STRIPPED = [
  fieldPath("apiVersion"),
  fieldPath("kind"),
  fieldPath("metadata"),
  ...["name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation"].map((f) =>
    fieldPath("metadata", f),
  ),
  fieldPath("metadata", "managedFields"),
  fieldPath("metadata", "resourceVersion"),
];

export interface ManagedWrite {
  kind: KindInfo;
  /** "" for the object itself. */
  subresource: string;
  manager: string;
}

function resetRoots(write: ManagedWrite): FieldPath[] {
  const reset = kindSchema(write.kind.resource).resetFields?.[write.subresource] ?? [];
  return reset.map((names) => fieldPath(...names));
}

function withoutManaged(object: KubeObject): KubeObject {
  const copy = clone(object);
  delete copy.metadata.managedFields;
  return copy;
}

/** What the kind's zero value looks like (the "live" object of a create). */
function emptyObject(kind: KindInfo): KubeObject {
  return { metadata: {}, ...clone(kindSchema(kind.resource).empty ?? {}) };
}

function tryDecode(value: unknown): Managers | undefined {
  try {
    return decodeManagers(value);
  } catch {
    return undefined;
  }
}

function setManaged(object: KubeObject, managers: Managers): KubeObject {
  const encoded = encodeManagers(managers);
  if (encoded) object.metadata.managedFields = encoded;
  else delete object.metadata.managedFields;
  return object;
}

/** structuredmerge Updater.update: others lose what changed (and what went) under them. */
function takeFromOthers(managers: Managers, self: string, taken: FieldSet, removed: FieldSet): void {
  for (const [id, entry] of managers) {
    if (id === self) continue;
    entry.set = minus(minus(entry.set, taken), removed);
    if (entry.set.size === 0) managers.delete(id);
  }
}

function entryFor(write: ManagedWrite, operation: "Apply" | "Update"): Omit<ManagerEntry, "set"> {
  return {
    manager: write.manager,
    operation,
    apiVersion: apiVersionOf(write.kind),
    subresource: write.subresource,
  };
}

/** The changes an update makes, as the manager would own them. */
function updateInto(managers: Managers, write: ManagedWrite, before: KubeObject, after: KubeObject): void {
  const schema = kindSchema(write.kind.resource).schema;
  const resets = resetRoots(write);
  const cmp = compare(before, after, schema);
  const changes = without(union(cmp.added, cmp.modified), resets);
  const removed = without(cmp.removed, resets);
  const entry = entryFor(write, "Update");
  const id = identifierOf(entry);
  takeFromOthers(managers, id, changes, removed);
  const previous = managers.get(id);
  const own = without(changes, [], STRIPPED);
  const set = union(previous ? minus(previous.set, removed) : new Set(), own);
  if (set.size === 0) {
    managers.delete(id);
    return;
  }
  const next: ManagerEntry = { ...entry, set };
  const time = own.size > 0 ? now() : previous?.time;
  if (time) next.time = time;
  managers.set(id, next);
}

/**
 * FieldManager.UpdateNoErrors for a create, update or (non-apply) patch: `next` keeps its own
 * managedFields if it sent valid ones (never for a subresource), else the live object's.
 */
export function recordUpdate(
  write: ManagedWrite,
  live: KubeObject | undefined,
  next: KubeObject,
): KubeObject {
  const sent = write.subresource ? undefined : tryDecode(next.metadata.managedFields);
  const managers = sent?.size ? sent : (tryDecode(live?.metadata.managedFields) ?? new Map());
  const result = withoutManaged(next);
  // skipNonAppliedManager: an existing object nobody manages stays unmanaged until an apply.
  if (live && managers.size === 0) return result;
  updateInto(managers, write, live ? withoutManaged(live) : emptyObject(write.kind), result);
  return setManaged(result, managers);
}

function conflictError(conflicts: [string, FieldPath][]): StatusError {
  const causes = conflicts.map(([manager, path]) => ({
    reason: "FieldManagerConflict",
    message: `conflict with ${describeManager(manager)}`,
    field: describePath(path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    const [manager, path] = conflicts[0]!;
    message = `Apply failed with 1 conflict: conflict with ${describeManager(manager)}: ${describePath(path)}`;
  } else {
    const lines: string[] = [];
    for (const manager of [...new Set(conflicts.map(([m]) => m))].sort()) {
      lines.push(`conflicts with ${describeManager(manager)}:`);
      for (const [m, path] of conflicts) if (m === manager) lines.push(`- ${describePath(path)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return new StatusError(409, "Conflict", message, { causes });
}

/** lastAppliedManager: conflicts kubectl may override because its last-applied annotation matches the object. */
function lastAppliedAllows(live: KubeObject, schema: ReturnType<typeof kindSchema>["schema"]): FieldSet {
  const text = live.metadata.annotations?.[LAST_APPLIED];
  if (!text) return new Set();
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(text);
  } catch {
    return new Set();
  }
  const cmp = compare(lastApplied, live, schema);
  return minus(toFieldSet(lastApplied, schema), union(cmp.modified, cmp.added, cmp.removed));
}

/** buildLastApplied: the configuration without the annotation itself, as UnstructuredJSONScheme encodes it. */
function lastAppliedOf(config: KubeObject): string {
  const copy = clone(config);
  const annotations = copy.metadata.annotations;
  if (annotations) delete annotations[LAST_APPLIED];
  const sorted = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sorted)
      : value && typeof value === "object"
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
          )
        : value;
  return `${JSON.stringify(sorted(copy))}\n`;
}

/**
 * FieldManager.Apply: the object `config` makes of `live` (undefined: create), with managed
 * fields; throws the 409 conflict error.
 */
export function applyConfiguration(
  write: ManagedWrite,
  live: KubeObject | undefined,
  config: KubeObject,
  force: boolean,
): KubeObject {
  const { schema } = kindSchema(write.kind.resource);
  const resets = resetRoots(write);
  const liveObject = live ? withoutManaged(live) : emptyObject(write.kind);
  const managers = tryDecode(live?.metadata.managedFields) ?? new Map<string, ManagerEntry>();
  if (live && managers.size === 0) {
    updateInto(managers, { ...write, manager: BEFORE_FIRST_APPLY }, emptyObject(write.kind), liveObject);
  }
  const entry = entryFor(write, "Apply");
  const id = identifierOf(entry);
  const lastSet = managers.get(id)?.set;
  const configSet = without(toFieldSet(config, schema), resets);
  const merged = mergeValue(liveObject, config, schema) as KubeObject;

  // prune: what this applier set last time and no longer sets, unless someone else owns it.
  let result = merged;
  if (lastSet?.size) {
    const others = [...managers].filter(([key]) => key !== id).map(([, e]) => e.set);
    const kept = withNamedFields(union(configSet, ...others), schema);
    const doomed = minus(withNamedFields(lastSet, schema), kept);
    result = removeSubtrees(merged, doomed, schema) as KubeObject;
  }

  const cmp = compare(liveObject, result, schema);
  const changed = without(union(cmp.modified, cmp.added), resets);
  const conflicts: [string, FieldPath][] = [];
  for (const [key, other] of [...managers].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (key === id) continue;
    for (const path of [...intersect(other.set, changed)].sort()) conflicts.push([key, path]);
  }
  if (conflicts.length && !force) {
    const allowed = write.manager === "kubectl" && live ? lastAppliedAllows(live, schema) : new Set<string>();
    if (!conflicts.every(([, path]) => allowed.has(path))) throw conflictError(conflicts);
  }
  takeFromOthers(managers, id, changed, without(cmp.removed, resets));
  const applied: ManagerEntry = { ...entry, set: without(configSet, [], STRIPPED) };
  const changedObject = !sameJson(result, liveObject);
  const time = changedObject ? now() : managers.get(id)?.time;
  if (time) applied.time = time;
  managers.set(id, applied);

  if (write.manager === "kubectl" && result.metadata?.annotations?.[LAST_APPLIED] !== undefined) {
    result.metadata.annotations[LAST_APPLIED] = lastAppliedOf(config);
  }
  return setManaged(result, managers);
}
