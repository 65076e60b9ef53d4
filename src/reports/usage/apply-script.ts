import type { RedisClient } from "../../shared/redis.ts";
import type { BatchPlan } from "./usage-batch.ts";
import { MAX_NAMES } from "./usage-counts.ts";

/**
 * Adds a batch to a shard's aggregates and moves the shard's "applied up to" mark, in one
 * step, only if the mark is still where the caller read it (a compare-and-set): a batch
 * redelivered after a crash between this script and the XACK, or applied at the same time
 * by another worker, finds the mark moved and adds nothing; a worker that no longer holds
 * the shard's lease adds nothing at all, so only the holder, which reads in stream order,
 * ever moves the mark. Counts merge like
 * usage-counts.ts mergeCounts. Returns 1 when applied, 0 when the mark had moved, -1 when
 * the lease is another's.
 *
 * KEYS: the mark, the lease, then each bucket. ARGV: expected mark ("" for none), new mark,
 * MAX_NAMES, the lease holder,
 * then per bucket: EXPIREAT, number of merges, number of sets, the merges' field/value
 * pairs, the sets' field/value pairs.
 */
const APPLY = `
if redis.call('GET', KEYS[2]) ~= ARGV[4] then return -1 end
local mark = redis.call('GET', KEYS[1]) or ''
if mark ~= ARGV[1] then return 0 end
local maxNames = tonumber(ARGV[3])
local PACKED = '^(%d+)|(%d+)|(%d+)|(%d+)|(%d+)|(.*)$'
local function names(a, b)
  if a == '*' or b == '*' then return '*' end
  local list, seen = {}, {}
  for _, text in ipairs({a, b}) do
    for name in string.gmatch(text, '[^\\n]+') do
      if not seen[name] then
        seen[name] = true
        list[#list + 1] = name
        if #list > maxNames then return '*' end
      end
    end
  end
  return table.concat(list, '\\n')
end
local a = 5
for k = 3, #KEYS do
  local key = KEYS[k]
  local expireAt, merges, sets = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  a = a + 3
  for i = 1, merges do
    local field, value = ARGV[a], ARGV[a + 1]
    a = a + 2
    local old = redis.call('HGET', key, field)
    if old then
      local c, d, x, f, l, n = string.match(value, PACKED)
      local c0, d0, x0, f0, l0, n0 = string.match(old, PACKED)
      if c0 then
        value = string.format('%.0f|%.0f|%.0f|%.0f|%.0f|%s', tonumber(c) + tonumber(c0),
          tonumber(d) + tonumber(d0), tonumber(x) + tonumber(x0), math.min(tonumber(f), tonumber(f0)),
          math.max(tonumber(l), tonumber(l0)), names(n0, n))
      end
    end
    redis.call('HSET', key, field, value)
  end
  for i = 1, sets do
    redis.call('HSET', key, ARGV[a], ARGV[a + 1])
    a = a + 2
  end
  redis.call('EXPIREAT', key, expireAt)
end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

export type ApplyOutcome = "applied" | "mark-moved" | "lease-lost";

export async function applyPlan(
  redis: RedisClient,
  mark: { key: string; expected: string; next: string },
  lease: { key: string; holder: string },
  plan: BatchPlan,
): Promise<ApplyOutcome> {
  const args: (string | number)[] = [mark.expected, mark.next, MAX_NAMES, lease.holder];
  plan.keys.forEach((_, i) => {
    const merge = plan.merge[i]!;
    const set = plan.set[i]!;
    args.push(plan.expireAt[i]!, merge.size, set.size);
    for (const [field, value] of merge) args.push(field, value);
    for (const [field, value] of set) args.push(field, value);
  });
  const keys = [mark.key, lease.key, ...plan.keys];
  const outcome = await redis.eval(APPLY, keys.length, ...keys, ...args);
  return outcome === 1 ? "applied" : outcome === 0 ? "mark-moved" : "lease-lost";
}
