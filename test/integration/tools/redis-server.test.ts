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

  it("on a shared server (REDIS_URL), keeps a fixed prefix across starts when asked (the demo)", async () => {
    const saved = process.env.REDIS_URL;
    process.env.REDIS_URL = redis.url;
    try {
      const [first, again, test] = await Promise.all([
        startRedis({ sharedKeyPrefix: "kb-demo:" }),
        startRedis({ sharedKeyPrefix: "kb-demo:" }),
        startRedis(),
      ]);
      assert.equal(first.keyPrefix, "kb-demo:");
      assert.equal(again.keyPrefix, "kb-demo:", "a demo started again sees what the last one kept");
      assert.notEqual(test.keyPrefix, "kb-demo:", "tests stay apart");
      await Promise.all([first.close(), again.close(), test.close()]);
    } finally {
      if (saved === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = saved;
    }
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

  it("clears the keys under its prefix, and only those", async () => {
    const client = redis.client();
    const mine = Array.from({ length: 1500 }, (_, i) => `${redis.keyPrefix}{grants}:grant:${i}`);
    for (let i = 0; i < mine.length; i += 500)
      await client.mset(...mine.slice(i, i + 500).flatMap((k) => [k, "1"]));
    // Someone else's keys on the same server, one of them a prefix look-alike.
    await client.set("other:kept", "1");
    await client.set(`x${redis.keyPrefix}kept`, "1");
    await redis.clear();
    assert.deepEqual(await client.keys(`${redis.keyPrefix}*`), []);
    assert.equal(await client.get("other:kept"), "1");
    assert.equal(await client.get(`x${redis.keyPrefix}kept`), "1");
    await client.del("other:kept", `x${redis.keyPrefix}kept`);
  });
});
