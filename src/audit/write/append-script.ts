import { LuaScript } from "../../shared/lua-script.ts";
import type { RedisClient } from "../../shared/redis.ts";
import { indexTermsOf, LUA_INDEX_MEMBER } from "../audit-index.ts";
import type { ShardKeys } from "../audit-keys.ts";
import type { AuditRecord } from "../record.ts";
import { toStreamFields } from "../record-fields.ts";

/**
 * One round trip appends a whole batch. Each record carries its writer's sequence number;
 * the script adds a record only if its sequence is above the writer's highest one already
 * in the stream, and moves that mark in the same atomic step. So a batch that is sent
 * twice (a timed-out write later replayed from the spool, a replay cut off by a crash and
 * started again) lands exactly once, and the stream keeps Redis-assigned, increasing IDs
 * (explicit IDs would fail behind another replica's newer entries and would hide replayed
 * records from live tails). pcall stops at the first failing XADD and still records the
 * mark for what did land, so a partial batch is reported exactly.
 *
 * The batch carries a "not after" deadline in the server's clock (microseconds): the
 * moment the writer stops waiting for the answer. A command stuck in a stalled server
 * (SIGSTOP, a long fork, a full kernel buffer) runs when the server resumes, after the
 * writer refused the request or spooled the record; the script then appends nothing and
 * says it came late, so the stream never holds a record for a request that was refused.
 * Every reply also carries the server's TIME, from which the writer keeps its estimate of
 * the server clock (redis-clock.ts).
 *
 * When the writer wants its records on replicas too (`audit.replicas`), the script also
 * says how many replicas are connected, so the writer waits for those (replica-wait.ts)
 * and not for ones that are not there.
 *
 * Each record written is added to its indexes (audit-index.ts) in the same step, so an index
 * never misses a record nor names one that was refused: one ZADD per index the batch touches,
 * and the index's name into the shard's list of indexes, which the retention pass walks to
 * drop what trimming took from the stream (a read never goes below the stream's oldest entry,
 * so what lingers until then is never returned).
 *
 * Returns { done, error, ids, late, seconds, microseconds, replicas }: the first `done`
 * records are in the stream (or were already); the rest were not written.
 */
const SCRIPT = new LuaScript(`${LUA_INDEX_MEMBER}
local t = redis.call('TIME')
local notAfter = tonumber(ARGV[1])
if tonumber(t[1]) * 1000000 + tonumber(t[2]) > notAfter then
  return { 0, '', {}, 1, t[1], t[2] }
end
local applied = tonumber(redis.call('GET', KEYS[2]) or '0')
local maxlen, ttl, count = ARGV[3], ARGV[4], tonumber(ARGV[5])
local ids, i, err = {}, 6, ''
local done = 0
local members, indexed = {}, nil
for r = 1, count do
  local seq, n = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  local k = tonumber(ARGV[i + 2 + n])
  if seq > applied then
    local res = redis.pcall('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', unpack(ARGV, i + 2, i + 1 + n))
    if type(res) == 'table' and res.err then err = res.err break end
    applied = seq
    ids[r] = res
    local member = indexMember(res)
    indexed = indexed or member
    for j = 1, k do
      local key = tonumber(ARGV[i + 2 + n + j])
      local list = members[key]
      if not list then list = {} members[key] = list end
      list[#list + 1] = 0
      list[#list + 1] = member
    end
  else
    ids[r] = ''
  end
  done = r
  i = i + 3 + n + k
end
redis.call('SET', KEYS[2], applied, 'PX', ttl)
if indexed then
  redis.call('SET', KEYS[3], indexed, 'NX')
  local names = {}
  for key, list in pairs(members) do
    names[#names + 1] = KEYS[key]
    for at = 1, #list, 1000 do
      redis.call('ZADD', KEYS[key], unpack(list, at, math.min(at + 999, #list)))
    end
  end
  for at = 1, #names, 1000 do
    redis.call('SADD', KEYS[4], unpack(names, at, math.min(at + 999, #names)))
  end
end
local replicas = 0
if tonumber(ARGV[2]) > 0 then
  replicas = tonumber(string.match(redis.call('INFO', 'replication'), 'connected_slaves:(%d+)') or '0')
end
return { done, err, ids, 0, t[1], t[2], replicas }
`);

export interface SequencedRecord {
  seq: number;
  record: AuditRecord;
}

/** One stream and the keys beside it (same hash tag, so one slot). */
export type AppendKeys = Pick<ShardKeys, "log" | "writerSequence" | "index" | "indexStart" | "indexes">;

export interface AppendTarget {
  maxLength: number;
  /** How long Redis remembers a writer's mark; as long as records are kept. */
  markTtlMs: number;
  /** Up to how many connected replicas must hold a record before it counts (0: the master's word). */
  replicas: number;
  /** false: records go in no index (the audit-search benchmark's baseline for the write cost). */
  indexed?: boolean;
}

export interface AppendResult {
  done: number;
  /** Stream IDs of the records written by this call ("" for ones already there). */
  ids: string[];
  error?: string;
  /** The server's clock was past the deadline: nothing was appended. */
  late: boolean;
  /** The server's TIME when the script ran, in milliseconds (with a fraction). */
  serverMs: number;
  /** Replicas connected to the master that ran it (counted only when the target wants replicas). */
  replicas: number;
}

export async function appendBatch(
  redis: RedisClient,
  keys: AppendKeys,
  target: AppendTarget,
  writerId: string,
  records: readonly SequencedRecord[],
  notAfterServerMs: number,
): Promise<AppendResult> {
  const args: (string | number)[] = [];
  args.push(
    Math.floor(notAfterServerMs * 1000),
    target.replicas,
    target.maxLength,
    target.markTtlMs,
    records.length,
  );
  const scriptKeys = [keys.log, keys.writerSequence(writerId), keys.indexStart, keys.indexes];
  const keyNumbers = new Map<string, number>();
  for (const { seq, record } of records) {
    const fields = toStreamFields(record);
    const terms = target.indexed === false ? [] : indexTermsOf(record);
    args.push(seq, fields.length, ...fields, terms.length);
    for (const [field, value] of terms) {
      const key = keys.index(field, value);
      let number = keyNumbers.get(key);
      if (number === undefined) {
        number = scriptKeys.push(key); // Lua's KEYS count from 1
        keyNumbers.set(key, number);
      }
      args.push(number);
    }
  }
  const reply = await SCRIPT.run(redis, scriptKeys, args);
  const [done, error, ids, late, seconds, micros, replicas] = reply as [
    number,
    string,
    string[],
    number,
    string,
    string,
    number | undefined,
  ];
  return {
    done,
    ids,
    late: late === 1,
    replicas: replicas ?? 0,
    serverMs: Number(seconds) * 1000 + Number(micros) / 1000,
    ...(error ? { error } : {}),
  };
}

const TIME_SCRIPT = "return redis.call('TIME')";

/** The server's TIME as seen by the node that holds `key` (on a Cluster, its shard's node). */
export async function serverTimeMs(redis: RedisClient, key: string): Promise<number> {
  const [seconds, micros] = (await redis.call("eval", TIME_SCRIPT, 1, key)) as [string, string];
  return Number(seconds) * 1000 + Number(micros) / 1000;
}
