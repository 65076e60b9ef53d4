import keySlot from "cluster-key-slot";

const SLOTS = 16384;

/**
 * The hash tag of each audit shard, chosen so that the shards' slots fall in different
 * N-ths of the slot range. A Redis Cluster created evenly (`redis-cli --cluster create`, or
 * a managed service) gives each of its M masters one contiguous M-th of the slots, so N
 * shards on N masters land one on each; tags named only by number (`audit:1`, `audit:2`)
 * hash where they happen to and measured 3 shards on 2 of 3 masters.
 *
 * Shard 0 keeps `audit`, the tag an unsharded stream always had (an upgrade keeps its
 * history), and so owns whichever N-th that falls in; shard i takes the i-th of the others,
 * with the first of `audit:i`, `audit:i.1`, `audit:i.2`, … that hashes into it. The names are
 * a pure function of N: every replica and version computes the same ones.
 */
export function shardTags(count: number): string[] {
  const rangeOf = (tag: string) => Math.floor((keySlot(tag) * count) / SLOTS);
  const first = rangeOf("audit");
  const others = Array.from({ length: count }, (_, range) => range).filter((range) => range !== first);
  return ["audit", ...others.map((range, i) => tagIn(range, `audit:${i + 1}`, rangeOf))];
}

function tagIn(range: number, base: string, rangeOf: (tag: string) => number): string {
  if (rangeOf(base) === range) return base;
  for (let n = 1; ; n++) {
    const tag = `${base}.${n}`;
    if (rangeOf(tag) === range) return tag;
  }
}
