import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";

describe("Redis harness", () => {
  let redis: RedisHarness;
  before(async () => {
    redis = await startRedis({ persist: true });
  });
  after(() => redis.close());

  it("gives a working client on a private server", async () => {
    const client = redis.client();
    await client.set(`${redis.keyPrefix}hello`, "world");
    assert.equal(await client.get(`${redis.keyPrefix}hello`), "world");
  });

  it("stops and restarts the server, keeping data when persistent", {
    skip: !!process.env.REDIS_URL,
  }, async () => {
    const client = redis.client({ maxRetriesPerRequest: 0 });
    await client.set(`${redis.keyPrefix}kept`, "yes");
    await redis.stop();
    await assert.rejects(client.get(`${redis.keyPrefix}kept`));
    await redis.start();
    const fresh = redis.client();
    assert.equal(await fresh.get(`${redis.keyPrefix}kept`), "yes");
  });

  it("runs two private servers side by side without sharing data", {
    skip: !!process.env.REDIS_URL,
  }, async () => {
    const other = await startRedis();
    try {
      assert.notEqual(other.url, redis.url);
      await other.client().set("only-here", "1");
      assert.equal(await redis.client().get("only-here"), null);
    } finally {
      await other.close();
    }
  });
});
