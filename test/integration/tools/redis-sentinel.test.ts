import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type RedisSentinelHarness, startRedisSentinel } from "../../../tools/redis/redis-sentinel.ts";

describe("Redis Sentinel harness", () => {
  let redis: RedisSentinelHarness;
  before(async () => {
    redis = await startRedisSentinel();
  });
  after(() => redis?.close());

  it("reaches the master through three sentinels", async () => {
    assert.equal(redis.sentinels.length, 3);
    assert.equal(await redis.master(), 0);
    const client = redis.client();
    await client.set(`${redis.keyPrefix}hello`, "world");
    assert.equal(await client.get(`${redis.keyPrefix}hello`), "world");
    assert.match(await client.info("replication"), /role:master\s+connected_slaves:1/);
  });

  it("clears the keys under its prefix, and only those", async () => {
    const client = redis.client();
    await client.set(`${redis.keyPrefix}a`, "1");
    await client.set("other:a", "kept");
    await redis.clear();
    assert.equal(await client.get(`${redis.keyPrefix}a`), null);
    assert.equal(await client.get("other:a"), "kept");
  });

  it("fails a hung master over, and takes it back as a replica", async () => {
    const client = redis.client();
    await client.set(`${redis.keyPrefix}before-hang`, "yes");
    assert.equal(await client.wait(1, 2000), 1);
    const { killed, promoted } = await redis.stallMaster();
    assert.deepEqual([killed, promoted], [0, 1]);
    assert.equal(await redis.master(), 1);
    assert.equal(await client.get(`${redis.keyPrefix}before-hang`), "yes");
  });

  it("promotes the replica when the master is killed, keeping what was written", async () => {
    const client = redis.client();
    await client.set(`${redis.keyPrefix}kept`, "yes");
    // Replication is asynchronous: only a write the replica has acknowledged survives.
    assert.equal(await client.wait(1, 2000), 1);
    const { killed, promoted, ms } = await redis.killMaster();
    assert.deepEqual([killed, promoted], [1, 0]);
    assert.equal(await redis.master(), 0);
    assert.ok(ms < 30_000, `failover took ${ms} ms`);
    // The same client follows the master through the sentinels.
    assert.equal(await client.get(`${redis.keyPrefix}kept`), "yes");
    assert.match(await client.info("replication"), /role:master/);
  });
});
