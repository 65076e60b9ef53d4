import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type RedisClusterHarness, startRedisCluster } from "../../../tools/redis/redis-cluster.ts";

describe("Redis Cluster harness", () => {
  let cluster: RedisClusterHarness;
  before(async () => {
    cluster = await startRedisCluster();
  });
  after(() => cluster?.close());

  it("runs three masters that serve every slot, each with a replica", async () => {
    assert.equal(cluster.ports.length, 6);
    assert.deepEqual(
      cluster.seeds,
      cluster.ports.map((port) => ({ host: "127.0.0.1", port })),
    );
    assert.equal((await cluster.masters()).length, 3);
    const client = cluster.client();
    const info = await client.cluster("INFO");
    assert.match(info, /cluster_state:ok/);
    assert.match(info, /cluster_slots_ok:16384/);
  });

  it("spreads keys of different hash tags over masters, and refuses multi-key commands across slots", async () => {
    const client = cluster.client();
    const keys = ["a", "b", "c"].map((tag) => `${cluster.keyPrefix}{${tag}}:k`);
    for (const key of keys) await client.set(key, key);
    const slots = await Promise.all(keys.map((key) => client.cluster("KEYSLOT", key)));
    assert.equal(new Set(slots).size, 3);
    await assert.rejects(
      client.mget(...keys),
      /CROSSSLOT|All keys in the pipeline should belong to the same slot/,
    );
  });

  it("clears the keys under its prefix on every master, and only those", async () => {
    const client = cluster.client();
    for (const tag of ["a", "b", "c", "d"]) await client.set(`${cluster.keyPrefix}{${tag}}:x`, "1");
    await client.set("other:{a}", "kept");
    await cluster.clear();
    for (const tag of ["a", "b", "c", "d"])
      assert.equal(await client.get(`${cluster.keyPrefix}{${tag}}:x`), null);
    assert.equal(await client.get("other:{a}"), "kept");
  });

  it("fails a killed master over to its replica, keeping what was written", async () => {
    const client = cluster.client();
    // Keys on each of the three masters; the first range's master is killed.
    const keys = ["b", "c", "a"].map((tag) => `${cluster.keyPrefix}{${tag}}:kept`);
    for (const key of keys) await client.set(key, "yes");
    const before = await cluster.masters();
    const { killed, promoted, ms } = await cluster.killMaster(0);
    assert.equal(killed, before[0]);
    assert.notEqual(promoted, killed);
    assert.deepEqual(await cluster.masters(), [promoted, before[1], before[2]]);
    assert.ok(ms < 15_000, `failover took ${ms} ms`);
    for (const key of keys) assert.equal(await client.get(key), "yes");
    // The killed node comes back as a replica of the node that took its place.
    await cluster.startNode(killed);
    assert.deepEqual(await cluster.masters(), [promoted, before[1], before[2]]);
  });

  it("fails a hung master over, and takes it back as a replica", async () => {
    const client = cluster.client();
    const key = `${cluster.keyPrefix}{c}:hung`;
    await client.set(key, "yes");
    const owner = await cluster.masterOf(key);
    const { killed, promoted } = await cluster.stallMaster(key);
    assert.equal(killed, owner);
    assert.equal(await cluster.masterOf(key), promoted);
    assert.equal(await client.get(key), "yes");
    assert.ok(!(await cluster.masters()).includes(killed), "the old master is a replica now");
  });

  it("pauses and resumes a node", async () => {
    const [master] = await cluster.masters();
    cluster.pause(master!);
    const client = cluster.client({ redisOptions: { commandTimeout: 300 } });
    await assert.rejects(client.set(`${cluster.keyPrefix}{b}:paused`, "1"));
    cluster.resume(master!);
    await cluster.waitHealthy();
    assert.equal(await cluster.client().set(`${cluster.keyPrefix}{b}:paused`, "1"), "OK");
  });
});
