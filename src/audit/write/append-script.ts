import { createHash } from "node:crypto";
import type { RedisClient } from "../../shared/redis.ts";
import type { AuditKeys } from "../audit-keys.ts";
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
 * Returns { done, ids, error }: the first `done` records are in the stream (or were
 * already); the rest were not written.
 */
const SCRIPT = `
local applied = tonumber(redis.call('GET', KEYS[2]) or '0')
local maxlen, ttl, count = ARGV[1], ARGV[2], tonumber(ARGV[3])
local ids, i, err = {}, 4, ''
local done = 0
for r = 1, count do
  local seq, n = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  if seq > applied then
    local res = redis.pcall('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', unpack(ARGV, i + 2, i + 1 + n))
    if type(res) == 'table' and res.err then err = res.err break end
    applied = seq
    ids[r] = res
  else
    ids[r] = ''
  end
  done = r
  i = i + 2 + n
end
redis.call('SET', KEYS[2], applied, 'PX', ttl)
return { done, err, ids }
`;
const SHA = createHash("sha1").update(SCRIPT).digest("hex");

export interface SequencedRecord {
  seq: number;
  record: AuditRecord;
}

export interface AppendTarget {
  keys: AuditKeys;
  maxLength: number;
  /** How long Redis remembers a writer's mark; as long as records are kept. */
  markTtlMs: number;
}

export interface AppendResult {
  done: number;
  /** Stream IDs of the records written by this call ("" for ones already there). */
  ids: string[];
  error?: string;
}

export async function appendBatch(
  redis: RedisClient,
  target: AppendTarget,
  writerId: string,
  records: readonly SequencedRecord[],
): Promise<AppendResult> {
  const args: (string | number)[] = [2, target.keys.log, target.keys.writerSequence(writerId)];
  args.push(target.maxLength, target.markTtlMs, records.length);
  for (const { seq, record } of records) {
    const fields = toStreamFields(record);
    args.push(seq, fields.length, ...fields);
  }
  let reply: unknown;
  try {
    reply = await redis.call("evalsha", SHA, ...args);
  } catch (err) {
    if (!String((err as Error).message).startsWith("NOSCRIPT")) throw err;
    reply = await redis.call("eval", SCRIPT, ...args);
  }
  const [done, error, ids] = reply as [number, string, string[]];
  return { done, ids, ...(error ? { error } : {}) };
}
