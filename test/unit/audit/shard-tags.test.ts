import assert from "node:assert/strict";
import { describe, it } from "node:test";
import keySlot from "cluster-key-slot";
import { shardTags } from "../../../src/audit/shard-tags.ts";

/** Which N-th of the slot range a tag's slot falls in: one master's share on an even Cluster. */
const nth = (tag: string, n: number) => Math.floor((keySlot(tag) * n) / 16384);

describe("audit shard tags", () => {
  it("keep shard 0 as {audit}, the tag of an unsharded stream", () => {
    assert.deepEqual(shardTags(1), ["audit"]);
    for (const n of [2, 3, 7, 64]) assert.equal(shardTags(n)[0], "audit");
  });

  it("put the N shards in N different N-ths of the slot range, for every N", () => {
    for (let n = 1; n <= 64; n++) {
      const tags = shardTags(n);
      assert.equal(tags.length, n);
      assert.equal(new Set(tags).size, n);
      const ranges = new Set(tags.map((tag) => nth(tag, n)));
      assert.equal(ranges.size, n, `${n} shards: ${tags.join(" ")}`);
    }
  });

  it("are the same on every call (every replica and version must agree)", () => {
    assert.deepEqual(shardTags(3), ["audit", "audit:1.2", "audit:2.1"]);
    assert.deepEqual(shardTags(12), shardTags(12));
  });
});
