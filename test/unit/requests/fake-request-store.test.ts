import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccessRequest } from "../../../src/requests/access-request.ts";
import {
  FakeRequestStore,
  requestStoreContract,
  storedRequest,
} from "../../support/fakes/fake-request-store.ts";

// The same cases run against RedisRequestStore in test/integration/requests/request-store-contract.test.ts.
describe("FakeRequestStore keeps the RequestStore contract", () => {
  for (const { name, run } of requestStoreContract) {
    it(name, () => run(new FakeRequestStore()));
  }
});

describe("FakeRequestStore.beforeCompareAndSet", () => {
  it("runs before the version is checked, so a write made in it makes this one lose", async () => {
    const store = new FakeRequestStore();
    const r = storedRequest("r1");
    await store.create(r);
    const seen: AccessRequest[] = [];
    store.beforeCompareAndSet = async (next) => {
      seen.push(next);
      store.beforeCompareAndSet = undefined; // one interleaving, then out of the way
      assert.equal(await store.compareAndSet({ ...r, version: 2, state: "denied" }), true);
    };
    assert.equal(await store.compareAndSet({ ...r, version: 2, state: "approved" }), false);
    assert.deepEqual(
      seen.map((n) => n.state),
      ["approved"],
    );
    assert.equal((await store.get("r1"))?.state, "denied");
    assert.deepEqual(await store.listPending(), []);
  });

  it("gets a copy of the update: changing it does not change what is written", async () => {
    const store = new FakeRequestStore();
    const r = storedRequest("r1");
    await store.create(r);
    store.beforeCompareAndSet = (next) => {
      next.state = "canceled";
    };
    assert.equal(await store.compareAndSet({ ...r, version: 2, reason: "edited" }), true);
    assert.equal((await store.get("r1"))?.state, "pending");
  });

  it("counts what it holds", async () => {
    const store = new FakeRequestStore();
    assert.equal(store.size, 0);
    await store.create(storedRequest("r1"));
    await assert.rejects(store.create(storedRequest("r1")));
    assert.equal(store.size, 1);
  });
});
