import assert from "node:assert/strict";
import type { AccessRequest } from "../../../src/requests/access-request.ts";
import type { RequestStore } from "../../../src/requests/request-store.ts";

/**
 * An in-memory RequestStore for unit tests of the request state machine, with the semantics
 * of RedisRequestStore's Lua scripts (test/integration/requests/request-store-contract.test.ts
 * runs the same cases against both, so the two cannot drift):
 * - create fails if the id exists, and always enters the pending index, scored by the
 *   expiresAt it was created with (CREATE does ZADD whatever the state);
 * - compareAndSet applies only when the stored version is next.version - 1; a non-pending
 *   state leaves the pending index; the score is never updated and nothing re-enters it;
 * - records are stored and returned as JSON copies, as Redis does: a caller mutating what it
 *   got cannot change the store, and undefined fields vanish as they do through JSON.
 * Not modelled: the 30-day retention of decided requests (a Redis TTL in real time).
 *
 * `beforeCompareAndSet` lets a test inject a race: it runs (and is awaited) after the caller
 * read the request and built `next`, before the version is checked, so whatever the hook
 * does (another approver's whole decision) lands in between and makes this update lose.
 */
export class FakeRequestStore implements RequestStore {
  beforeCompareAndSet?: (next: AccessRequest) => Promise<void> | void;

  readonly #records = new Map<string, string>();
  /** id -> score (expiresAt at creation), like the `pending` sorted set. */
  readonly #pending = new Map<string, number>();
  /** subject -> ids, like the per-requester sets (insertion order; Redis sets have none). */
  readonly #byRequester = new Map<string, Set<string>>();

  async create(request: AccessRequest): Promise<void> {
    if (this.#records.has(request.id)) throw new Error(`request ${request.id} already exists`);
    this.#records.set(request.id, JSON.stringify(request));
    this.#pending.set(request.id, request.expiresAt);
    const ids = this.#byRequester.get(request.requester.subject) ?? new Set<string>();
    ids.add(request.id);
    this.#byRequester.set(request.requester.subject, ids);
  }

  async get(id: string): Promise<AccessRequest | undefined> {
    const json = this.#records.get(id);
    return json === undefined ? undefined : (JSON.parse(json) as AccessRequest);
  }

  async listByRequester(subject: string): Promise<AccessRequest[]> {
    return this.#load([...(this.#byRequester.get(subject) ?? [])]);
  }

  /** Soonest expiry first, ties by id: ZRANGE order. */
  async listPending(): Promise<AccessRequest[]> {
    return this.#load(this.#pendingIds());
  }

  async pendingDue(now: number, limit: number): Promise<string[]> {
    const due = this.#pendingIds().filter((id) => this.#pending.get(id)! <= now);
    return limit < 0 ? due : due.slice(0, limit); // ZRANGEBYSCORE: a negative count means all
  }

  async compareAndSet(next: AccessRequest): Promise<boolean> {
    await this.beforeCompareAndSet?.(JSON.parse(JSON.stringify(next)) as AccessRequest);
    const current = this.#records.get(next.id);
    if (current === undefined || (JSON.parse(current) as AccessRequest).version !== next.version - 1) {
      return false;
    }
    this.#records.set(next.id, JSON.stringify(next));
    if (next.state !== "pending") this.#pending.delete(next.id);
    return true;
  }

  /** How many requests are stored (for "nothing was created" assertions). */
  get size(): number {
    return this.#records.size;
  }

  #pendingIds(): string[] {
    return [...this.#pending]
      .sort(([a, x], [b, y]) => x - y || (a < b ? -1 : a > b ? 1 : 0))
      .map(([id]) => id);
  }

  #load(ids: string[]): AccessRequest[] {
    return ids.flatMap((id) => {
      const json = this.#records.get(id);
      return json === undefined ? [] : [JSON.parse(json) as AccessRequest];
    });
  }
}

/**
 * What any RequestStore must do, as cases over an empty store. They live beside the fake so
 * that whoever changes it sees them; fake-request-store.test.ts runs them against the fake,
 * request-store-contract.test.ts against the fake and RedisRequestStore alike.
 */
export interface RequestStoreContractCase {
  name: string;
  run(store: RequestStore): Promise<void>;
}

/** A pending request of `sub-dev` created at t=1000 that expires at `expiresAt` (5000 by default). */
export function storedRequest(id: string, overrides: Partial<AccessRequest> = {}): AccessRequest {
  return {
    id,
    version: 1,
    requester: { kind: "user", subject: "sub-dev", name: "dev@example.com", groups: ["devs"] },
    cluster: "prod",
    role: "edit",
    namespaces: ["payments"],
    durationSeconds: 1800,
    reason: "INC-1",
    createdAt: 1000,
    expiresAt: 5000,
    approvalsRequired: 1,
    state: "pending",
    approvals: [],
    ...overrides,
  };
}

const ids = (requests: AccessRequest[]) => requests.map((r) => r.id);

export const requestStoreContract: RequestStoreContractCase[] = [
  {
    name: "create stores the request once; get returns it, or undefined for an unknown id",
    async run(store) {
      const r = storedRequest("r1");
      await store.create(r);
      assert.deepEqual(await store.get("r1"), r);
      await assert.rejects(store.create({ ...r, reason: "again" }), /request r1 already exists/);
      assert.deepEqual(await store.get("r1"), r);
      assert.equal(await store.get("nope"), undefined);
    },
  },
  {
    name: "compareAndSet applies only when the stored version is next.version - 1",
    async run(store) {
      const r = storedRequest("r1");
      await store.create(r);
      assert.equal(await store.compareAndSet({ ...r, version: 1, reason: "same version" }), false);
      assert.equal(await store.compareAndSet({ ...r, version: 3, reason: "skips one" }), false);
      assert.deepEqual(await store.get("r1"), r);
      assert.equal(await store.compareAndSet({ ...r, version: 2, reason: "first" }), true);
      assert.equal(await store.compareAndSet({ ...r, version: 2, reason: "stale" }), false);
      assert.equal((await store.get("r1"))?.reason, "first");
      assert.equal(await store.compareAndSet(storedRequest("missing", { version: 2 })), false);
      assert.equal(await store.get("missing"), undefined);
    },
  },
  {
    name: "a non-pending state leaves the pending index but not the requester's",
    async run(store) {
      const r = storedRequest("r1");
      await store.create(r);
      await store.create(storedRequest("r2"));
      assert.equal(await store.compareAndSet({ ...r, version: 2, approvals: [] }), true);
      assert.deepEqual(ids(await store.listPending()), ["r1", "r2"]);
      assert.equal(await store.compareAndSet({ ...r, version: 3, state: "approved", decidedAt: 2000 }), true);
      assert.deepEqual(ids(await store.listPending()), ["r2"]);
      assert.deepEqual(await store.pendingDue(10_000, 10), ["r2"]);
      assert.deepEqual(ids(await store.listByRequester("sub-dev")).sort(), ["r1", "r2"]);
      // Nothing re-enters the index, not even a (never made) move back to pending.
      assert.equal(await store.compareAndSet({ ...r, version: 4, state: "pending" }), true);
      assert.deepEqual(ids(await store.listPending()), ["r2"]);
    },
  },
  {
    name: "pendingDue: ids whose expiresAt <= now, soonest first (ties by id), up to the limit",
    async run(store) {
      await store.create(storedRequest("late", { expiresAt: 9000 }));
      await store.create(storedRequest("b", { expiresAt: 3000 }));
      await store.create(storedRequest("a", { expiresAt: 3000 }));
      await store.create(storedRequest("first", { expiresAt: 2000 }));
      assert.deepEqual(await store.pendingDue(1999, 10), []);
      assert.deepEqual(await store.pendingDue(2000, 10), ["first"]);
      assert.deepEqual(await store.pendingDue(3000, 10), ["first", "a", "b"]);
      assert.deepEqual(await store.pendingDue(3000, 2), ["first", "a"]);
      assert.deepEqual(await store.pendingDue(10_000, 10), ["first", "a", "b", "late"]);
      assert.deepEqual(ids(await store.listPending()), ["first", "a", "b", "late"]);
    },
  },
  {
    name: "the pending index keeps the expiresAt the request was created with",
    async run(store) {
      const r = storedRequest("r1", { expiresAt: 5000 });
      await store.create(r);
      assert.equal(await store.compareAndSet({ ...r, version: 2, expiresAt: 1000 }), true);
      assert.deepEqual(await store.pendingDue(4999, 10), []);
      assert.deepEqual(await store.pendingDue(5000, 10), ["r1"]);
    },
  },
  {
    name: "create enters the pending index whatever the state (the service only creates pending ones)",
    async run(store) {
      await store.create(storedRequest("r1", { state: "approved" }));
      assert.deepEqual(ids(await store.listPending()), ["r1"]);
    },
  },
  {
    name: "listByRequester returns that requester's requests, decided or not",
    async run(store) {
      const other = { kind: "user" as const, subject: "sub-eve", name: "eve@example.com", groups: [] };
      const r = storedRequest("r1");
      await store.create(r);
      await store.create(storedRequest("r2"));
      await store.create(storedRequest("r3", { requester: other }));
      await store.compareAndSet({ ...r, version: 2, state: "denied" });
      assert.deepEqual(ids(await store.listByRequester("sub-dev")).sort(), ["r1", "r2"]);
      assert.deepEqual(ids(await store.listByRequester("sub-eve")), ["r3"]);
      assert.deepEqual(await store.listByRequester("sub-nobody"), []);
    },
  },
  {
    name: "what goes in and comes out are copies: mutating them changes nothing stored",
    async run(store) {
      const r = storedRequest("r1");
      await store.create(r);
      r.namespaces.push("kube-system");
      r.state = "approved";
      const got = (await store.get("r1"))!;
      assert.deepEqual(got.namespaces, ["payments"]);
      got.approvals.push({ by: "x", subject: "x", at: 1, comment: "" });
      got.requester.groups.push("admins");
      for (const listed of [...(await store.listPending()), ...(await store.listByRequester("sub-dev"))]) {
        listed.state = "approved";
        listed.approvals.push({ by: "y", subject: "y", at: 1, comment: "" });
      }
      assert.deepEqual(await store.get("r1"), storedRequest("r1"));
    },
  },
  {
    name: "records go through JSON: undefined fields are not stored",
    async run(store) {
      const r = storedRequest("r1", { grantError: undefined });
      await store.create(r);
      assert.equal(Object.hasOwn((await store.get("r1"))!, "grantError"), false);
      await store.compareAndSet({ ...r, version: 2, grantId: undefined, decidedAt: undefined });
      const got = (await store.get("r1"))!;
      assert.equal(Object.hasOwn(got, "grantId") || Object.hasOwn(got, "decidedAt"), false);
    },
  },
];
