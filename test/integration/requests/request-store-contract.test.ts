import { after, before, describe, it } from "node:test";
import type { Redis } from "ioredis";
import { RedisRequestStore } from "../../../src/requests/redis-request-store.ts";
import type { RequestStore } from "../../../src/requests/request-store.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { FakeRequestStore, requestStoreContract } from "../../support/fakes/fake-request-store.ts";

/**
 * One list of cases, two stores: the unit tests of the request state machine run over the
 * fake, so the fake must do what the Lua scripts of RedisRequestStore do.
 */
describe("RequestStore contract", () => {
  let redis: RedisHarness;
  let client: Redis;
  let prefixes = 0;

  before(async () => {
    redis = await startRedis();
    client = redis.client();
  });
  after(() => redis.close());

  const stores: [string, () => RequestStore][] = [
    // A key prefix per case: every case starts from an empty store.
    [
      "RedisRequestStore",
      () => new RedisRequestStore({ redis: client, keyPrefix: `${redis.keyPrefix}case${++prefixes}:` }),
    ],
    ["FakeRequestStore", () => new FakeRequestStore()],
  ];

  for (const [storeName, makeStore] of stores) {
    describe(storeName, () => {
      for (const { name, run } of requestStoreContract) {
        it(name, () => run(makeStore()));
      }
    });
  }
});
