/**
 * The stand-in's etcd: every stored object by kind and key, one global resourceVersion counter,
 * and a bounded history of change events so a watch can start after any recent version.
 * Per-kind rules (defaults, validation, cascades) live in behaviours/ and run here, so seeding
 * through this API behaves like creating through HTTP (minus authentication and RBAC).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { apiVersionOf, type KindInfo, kindByName } from "./kinds.ts";
import { nameErrors } from "./names.ts";
import { clone, type KubeObject, type ObjectRef, sameJson, timestamp } from "./objects.ts";
import type { UserInfo } from "./rbac/types.ts";
import { dropEmptyOptionals } from "./schema/kind-schemas.ts";
import { alreadyExists, conflict, type FieldError, invalid, notFound } from "./status.ts";

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: EventType;
  kind: KindInfo;
  object: KubeObject;
  /** The object before a MODIFIED event, so selector watches can tell entering from leaving. */
  previous?: KubeObject;
  resourceVersion: number;
}

/** How a subresource (`status`, `approval`) updates its object: what it may change, and its validation. */
export interface SubresourceBehaviour {
  prepareForUpdate?(object: KubeObject, old: KubeObject): void;
  validate?(object: KubeObject, old: KubeObject): FieldError[];
}

/** What a kind may add to the generic lifecycle (see behaviours/). */
export interface KindBehaviour {
  /**
   * The API's defaulting (SetDefaults_*), which the real server applies while decoding a body,
   * before the field manager sees it: so whoever writes an object owns its defaulted fields.
   */
  applyDefaults?(object: KubeObject): void;
  /** Defaults for a new object (status, finalizers, …); `user` is who creates it, when known. */
  prepareForCreate?(object: KubeObject, store: ObjectStore, user?: UserInfo): void;
  /** Carry over what an update may not change (status of kinds with a status subresource). */
  prepareForUpdate?(object: KubeObject, old: KubeObject): void;
  validate?(object: KubeObject, old: KubeObject | undefined, store: ObjectStore): FieldError[];
  afterWrite?(object: KubeObject, store: ObjectStore): void;
  beforeDelete?(object: KubeObject, store: ObjectStore): void;
  afterDelete?(object: KubeObject, store: ObjectStore): void;
  /** RBAC kinds accept PUT of an object that does not exist yet. */
  allowCreateOnUpdate?: boolean;
  subresources?: Record<string, SubresourceBehaviour>;
}

export interface WriteOptions {
  dryRun?: boolean;
  /** The requesting user (the registry strategy may record it, as CertificateSigningRequests do). */
  user?: UserInfo;
  /** Update through this subresource's strategy instead of the object's. */
  subresource?: string;
  /** Validating admission: runs after defaulting and validation, before the write (throws to refuse). */
  admit?(object: KubeObject, old: KubeObject | undefined): void;
}

export interface DeleteOptions extends WriteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
}

const HISTORY_LIMIT = 10_000;

export class ObjectStore {
  #buckets = new Map<string, Map<string, KubeObject>>();
  #revision = 0;
  #history: StoreEvent[] = [];
  #listeners = new Set<(event: StoreEvent) => void>();
  #behaviours: Record<string, KindBehaviour>;

  constructor(behaviours: Record<string, KindBehaviour> = {}) {
    this.#behaviours = behaviours;
  }

  /** Applies the kind's defaulting to `object` in place (what decoding a request body does). */
  applyDefaults(object: KubeObject): void {
    this.#behaviours[kindByName(object.kind ?? "").resource]?.applyDefaults?.(object);
  }

  /** The current global resourceVersion (what a list reports). */
  get revision(): number {
    return this.#revision;
  }

  create(input: KubeObject, options: WriteOptions = {}): KubeObject {
    const kind = kindByName(input.kind ?? "");
    const object = clone(input);
    const meta = object.metadata ?? {};
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${suffix()}`;
    if (!kind.namespaced) delete meta.namespace;
    const behaviour = this.#behaviours[kind.resource] ?? {};
    behaviour.applyDefaults?.(object);
    const stored: KubeObject = {
      kind: kind.kind,
      apiVersion: apiVersionOf(kind),
      ...object,
      metadata: { ...meta, uid: randomUUID(), creationTimestamp: timestamp() },
    };
    behaviour.prepareForCreate?.(stored, this, options.user);
    dropEmptyOptionals(kind.resource, stored);
    this.#validate(kind, stored, undefined);
    if (kind.namespaced) this.get("namespaces", { name: meta.namespace ?? "" });
    if (this.#bucket(kind).has(keyOf(kind, meta))) throw alreadyExists(kind.resource, kind.group, meta.name!);
    options.admit?.(stored, undefined);
    if (options.dryRun) return stored;
    this.#commit("ADDED", kind, stored);
    behaviour.afterWrite?.(stored, this);
    return clone(stored);
  }

  get(resource: string, ref: ObjectRef): KubeObject {
    const kind = kindByName(resource);
    const found = this.find(resource, ref);
    if (!found) throw notFound(kind.resource, kind.group, ref.name);
    return found;
  }

  find(resource: string, ref: ObjectRef): KubeObject | undefined {
    const kind = kindByName(resource);
    const found = this.#bucket(kind).get(keyOf(kind, ref));
    return found && clone(found);
  }

  /** Every object of a kind, in one namespace or (undefined) all, sorted like etcd keys. */
  list(resource: string, namespace?: string): KubeObject[] {
    return this.select(resource, namespace).items;
  }

  /**
   * The objects of a kind that `matches` (which only reads them), sorted like etcd keys, and
   * how many there are; only those in `page` are copied. A page of a list of 20,000 objects
   * copies its 500, not the 20,000: the API server's own lists cost what they return.
   */
  select(
    resource: string,
    namespace?: string,
    matches: (object: Readonly<KubeObject>) => boolean = () => true,
    page?: { offset: number; limit: number },
  ): { items: KubeObject[]; total: number } {
    const kind = kindByName(resource);
    const found = [...this.#bucket(kind).entries()]
      .filter(([, o]) => (!namespace || !kind.namespaced || o.metadata.namespace === namespace) && matches(o))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const wanted = page ? found.slice(page.offset, page.offset + page.limit) : found;
    return { items: wanted.map(([, o]) => clone(o)), total: found.length };
  }

  /** Replaces an object; a resourceVersion in the input is a precondition (409 if stale). */
  update(input: KubeObject, options: WriteOptions = {}): KubeObject {
    const kind = kindByName(input.kind ?? "");
    const behaviour = this.#behaviours[kind.resource] ?? {};
    const ref = { name: input.metadata?.name ?? "", namespace: input.metadata?.namespace };
    const old = this.#bucket(kind).get(keyOf(kind, ref));
    if (!old) {
      if (behaviour.allowCreateOnUpdate && !options.subresource) return this.create(input, options);
      throw notFound(kind.resource, kind.group, ref.name);
    }
    const wanted = input.metadata.resourceVersion;
    if (wanted && wanted !== old.metadata.resourceVersion) {
      throw conflict(
        kind.resource,
        kind.group,
        ref.name,
        "the object has been modified; please apply your changes to the latest version and try again",
      );
    }
    const defaulted = clone(input);
    behaviour.applyDefaults?.(defaulted);
    const object: KubeObject = {
      ...defaulted,
      kind: kind.kind,
      apiVersion: apiVersionOf(kind),
      metadata: {
        ...defaulted.metadata,
        namespace: old.metadata.namespace,
        uid: old.metadata.uid,
        creationTimestamp: old.metadata.creationTimestamp,
        resourceVersion: old.metadata.resourceVersion,
      },
    };
    if (!kind.namespaced) delete object.metadata.namespace;
    const strategy = options.subresource ? behaviour.subresources?.[options.subresource] : behaviour;
    if (!strategy) throw new Error(`stand-in: ${kind.resource} has no ${options.subresource} subresource`);
    strategy.prepareForUpdate?.(object, clone(old));
    dropEmptyOptionals(kind.resource, object);
    this.#validate(kind, object, old, strategy);
    options.admit?.(object, clone(old));
    // Like the real server, an update that changes nothing keeps the version and emits nothing.
    if (sameJson(object, old) || options.dryRun) return clone(object);
    this.#commit("MODIFIED", kind, object, old);
    behaviour.afterWrite?.(object, this);
    return clone(object);
  }

  delete(resource: string, ref: ObjectRef, options: DeleteOptions = {}): KubeObject {
    const kind = kindByName(resource);
    const old = this.get(resource, ref);
    const { uid, resourceVersion } = options.preconditions ?? {};
    const checks: [string, string | undefined, string | undefined][] = [
      ["UID", uid, old.metadata.uid],
      ["ResourceVersion", resourceVersion, old.metadata.resourceVersion],
    ];
    for (const [what, wanted, actual] of checks) {
      if (wanted && wanted !== actual) {
        const why = `Precondition failed: ${what} in precondition: ${wanted}, ${what} in object meta: ${actual}`;
        throw conflict(kind.resource, kind.group, ref.name, why);
      }
    }
    if (options.dryRun) return old;
    this.#behaviours[kind.resource]?.beforeDelete?.(old, this);
    this.#bucket(kind).delete(keyOf(kind, ref));
    this.#revision++;
    old.metadata.resourceVersion = String(this.#revision);
    this.#emit({ type: "DELETED", kind, object: clone(old), resourceVersion: this.#revision });
    this.#behaviours[kind.resource]?.afterDelete?.(old, this);
    return old;
  }

  /** Calls `listener` for every change from now on; returns the unsubscribe function. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Changes after `resourceVersion`, or undefined when history no longer reaches back that far. */
  eventsSince(resourceVersion: number): StoreEvent[] | undefined {
    const oldest = this.#history[0]?.resourceVersion ?? this.#revision + 1;
    if (resourceVersion < oldest - 1 && this.#history.length >= HISTORY_LIMIT) return undefined;
    return this.#history.filter((e) => e.resourceVersion > resourceVersion);
  }

  #validate(
    kind: KindInfo,
    object: KubeObject,
    old: KubeObject | undefined,
    strategy: KindBehaviour | SubresourceBehaviour | undefined = this.#behaviours[kind.resource],
  ): void {
    const meta = object.metadata ?? {};
    const errors = old ? [] : nameErrors(kind.names, meta.name);
    if (kind.namespaced && !meta.namespace) errors.push({ ...namespaceRequired });
    errors.push(...((strategy?.validate as KindBehaviour["validate"])?.(object, old, this) ?? []));
    if (errors.length) throw invalid(kind.kind, kind.group, meta.name ?? "", errors);
  }

  #commit(type: EventType, kind: KindInfo, object: KubeObject, previous?: KubeObject): void {
    this.#revision++;
    object.metadata.resourceVersion = String(this.#revision);
    this.#bucket(kind).set(keyOf(kind, object.metadata), object);
    const event: StoreEvent = { type, kind, object: clone(object), resourceVersion: this.#revision };
    if (previous) event.previous = clone(previous);
    this.#emit(event);
  }

  #emit(event: StoreEvent): void {
    this.#history.push(event);
    if (this.#history.length > HISTORY_LIMIT) this.#history.shift();
    for (const listener of this.#listeners) listener(event);
  }

  #bucket(kind: KindInfo): Map<string, KubeObject> {
    const bucket = this.#buckets.get(kind.resource) ?? new Map<string, KubeObject>();
    this.#buckets.set(kind.resource, bucket);
    return bucket;
  }
}

const namespaceRequired: FieldError = {
  type: "FieldValueRequired",
  field: "metadata.namespace",
  body: "Required value",
};

function keyOf(kind: KindInfo, ref: { namespace?: string; name?: string }): string {
  return kind.namespaced ? `${ref.namespace ?? ""}/${ref.name ?? ""}` : (ref.name ?? "");
}

/** `generateName` suffix: 5 characters from the apiserver's alphabet (no vowels or 0/1/3). */
function suffix(): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join("");
}
