import { randomUUID } from "node:crypto";
import type {
  ClusterApi,
  IssuedToken,
  ManagedKind,
  ManagedObject,
  ObjectMeta,
  ObjectRef,
  RoleRef,
  ServiceAccountRef,
} from "../../../src/grants/cluster-api.ts";
import { GRANT_LABEL } from "../../../src/grants/grant.ts";
import { type Clock, systemClock } from "../../../src/shared/clock.ts";
import { Conflict } from "../../../src/shared/errors.ts";

type Operation =
  | "createServiceAccount"
  | "createRoleBinding"
  | "createClusterRoleBinding"
  | "requestToken"
  | "delete"
  | "list";

/**
 * An in-memory ClusterApi for unit tests of the grants feature: it keeps the objects, can be
 * told to fail a given operation, and counts calls. It does not authorize anything; the
 * Kubernetes API stand-in is the cluster for integration tests.
 */
export class FakeClusterApi implements ClusterApi {
  /** Tokens expire by this clock (the broker's, in tests that move time). */
  readonly #clock: Clock;
  constructor(options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  readonly objects = new Map<string, ManagedObject & { roleRef?: RoleRef }>();
  readonly roles = new Set<string>(["ClusterRole/view", "ClusterRole/edit", "ClusterRole/admin"]);
  /** The cluster's namespaces; a test adds and deletes them. */
  readonly namespaces = new Set<string>(["default", "team-a", "team-b", "payments", "kube-broker-grants"]);
  readonly calls: Operation[] = [];
  /** Return an error to make that call fail (checked before the call changes anything). */
  failWith: (operation: Operation, detail: string) => Error | undefined = () => undefined;

  async createServiceAccount(namespace: string, meta: ObjectMeta): Promise<{ uid: string }> {
    return { uid: this.#create("createServiceAccount", "ServiceAccount", namespace, meta).uid };
  }

  async createRoleBinding(namespace: string, meta: ObjectMeta, roleRef: RoleRef): Promise<void> {
    this.#create("createRoleBinding", "RoleBinding", namespace, meta, roleRef);
  }

  async createClusterRoleBinding(meta: ObjectMeta, roleRef: RoleRef): Promise<void> {
    this.#create("createClusterRoleBinding", "ClusterRoleBinding", "", meta, roleRef);
  }

  async roleExists(roleRef: RoleRef, namespace?: string): Promise<boolean> {
    return this.roles.has(`${roleRef.kind}/${roleRef.kind === "Role" ? `${namespace}/` : ""}${roleRef.name}`);
  }

  async requestToken(
    account: ServiceAccountRef,
    options: { expirationSeconds: number },
  ): Promise<IssuedToken> {
    this.#maybeFail("requestToken", account.name);
    if (!this.objects.has(key("ServiceAccount", account.namespace, account.name))) {
      throw new Error(`serviceaccounts "${account.name}" not found`);
    }
    return {
      token: `token-${account.name}-${randomUUID()}`,
      expiresAt: this.#clock.now() + options.expirationSeconds * 1000,
    };
  }

  async deleteServiceAccount(account: ServiceAccountRef): Promise<void> {
    this.#delete(key("ServiceAccount", account.namespace, account.name));
  }

  async deleteRoleBinding(namespace: string, name: string): Promise<void> {
    this.#delete(key("RoleBinding", namespace, name));
  }

  async deleteClusterRoleBinding(name: string): Promise<void> {
    this.#delete(key("ClusterRoleBinding", "", name));
  }

  async listManaged(): Promise<ManagedObject[]> {
    this.#maybeFail("list", "");
    return [...this.objects.values()];
  }

  /** Objects a grant created that were deleted when it ended (deleteObject), in order. */
  readonly deletedObjects: ObjectRef[] = [];

  async deleteObject(object: ObjectRef): Promise<void> {
    this.#maybeFail("delete", `${object.resource}/${object.namespace}/${object.name}`);
    this.deletedObjects.push(object);
  }

  async listNamespaces(): Promise<string[]> {
    this.#maybeFail("list", "namespaces");
    return [...this.namespaces];
  }

  #create(op: Operation, kind: ManagedKind, namespace: string, meta: ObjectMeta, roleRef?: RoleRef) {
    this.#maybeFail(op, `${namespace}/${meta.name}`);
    const k = key(kind, namespace, meta.name);
    if (this.objects.has(k)) throw new Conflict(`${kind} "${meta.name}" already exists`);
    const object = {
      kind,
      namespace,
      name: meta.name,
      uid: randomUUID(),
      grantId: meta.labels[GRANT_LABEL] ?? "",
    };
    this.objects.set(k, roleRef ? { ...object, roleRef } : object);
    return object;
  }

  #delete(k: string): void {
    this.#maybeFail("delete", k);
    this.objects.delete(k);
  }

  #maybeFail(op: Operation, detail: string): void {
    this.calls.push(op);
    const err = this.failWith(op, detail);
    if (err) throw err;
  }
}

function key(kind: ManagedKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}
