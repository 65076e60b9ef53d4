/**
 * Namespaces: Active on creation with the `kubernetes` finalizer and the immutable
 * `kubernetes.io/metadata.name` label; the service-account controller's `default` account
 * appears in each; deleting one removes everything in it (the real namespace controller does
 * this a moment later, the stand-in at once).
 */
import { KINDS } from "../kinds.ts";
import type { KubeObject } from "../objects.ts";
import type { KindBehaviour, ObjectStore } from "../store.ts";

function stampName(object: KubeObject): void {
  object.metadata.labels = {
    ...object.metadata.labels,
    "kubernetes.io/metadata.name": object.metadata.name!,
  };
}

export const namespaces: KindBehaviour = {
  prepareForCreate(object) {
    stampName(object);
    object.spec = { finalizers: ["kubernetes"] };
    object.status = { phase: "Active" };
  },
  prepareForUpdate(object, old) {
    stampName(object);
    object.status = old.status;
  },
  afterWrite(object, store: ObjectStore) {
    const namespace = object.metadata.name!;
    if (!store.find("serviceaccounts", { namespace, name: "default" })) {
      store.create({ kind: "ServiceAccount", metadata: { name: "default", namespace } });
    }
  },
  beforeDelete(object, store: ObjectStore) {
    const namespace = object.metadata.name!;
    for (const kind of KINDS.filter((k) => k.namespaced && k.stored)) {
      for (const item of store.list(kind.resource, namespace)) {
        store.delete(kind.resource, { namespace, name: item.metadata.name! });
      }
    }
  },
};
