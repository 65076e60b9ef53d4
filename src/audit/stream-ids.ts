/** Redis stream IDs ("<ms>-<seq>"): checking, comparing, and turning times into range bounds. */
import type { RedisClient } from "../shared/redis.ts";
import { type AuditEntry, fromStreamFields } from "./record-fields.ts";

const STREAM_ID = /^(\d{1,20})(?:-(\d{1,20}))?$/;
const MAX_PART = 2n ** 64n - 1n;
const MAX_SEQ = MAX_PART.toString();
/** The highest stream ID there can be. */
export const MAX_STREAM_ID = `${MAX_SEQ}-${MAX_SEQ}`;

/**
 * A stream ID as Redis takes it ("<ms>" or "<ms>-<seq>", each part at most 2^64-1), in
 * its full "<ms>-<seq>" form; undefined for anything else. Checked here, not by Redis,
 * so a bad one is the caller's 422 rather than our 500.
 */
export function parseStreamId(value: string): string | undefined {
  const match = STREAM_ID.exec(value);
  if (!match) return undefined;
  const ms = BigInt(match[1]!);
  const seq = BigInt(match[2] ?? "0");
  if (ms > MAX_PART || seq > MAX_PART) return undefined;
  return `${ms}-${seq}`;
}

/** Negative, zero or positive, as a sorts before, equal to or after b. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = split(a);
  const [bMs, bSeq] = split(b);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

/** The last possible ID of the millisecond before `ms`: "after this" means "from ms on". */
export function idJustBefore(ms: number): string {
  return ms <= 0 ? "0-0" : `${ms - 1}-${MAX_SEQ}`;
}

function split(id: string): [bigint, bigint] {
  const dash = id.indexOf("-");
  return dash < 0 ? [BigInt(id), 0n] : [BigInt(id.slice(0, dash)), BigInt(id.slice(dash + 1))];
}

/** XRANGE/XREAD reply entries as [id, fields] pairs; tolerates a deleted entry's null. */
export type RawEntry = [id: string, fields: string[] | null];

export function parseEntries(raw: unknown): AuditEntry[] {
  const entries = (raw ?? []) as RawEntry[];
  return entries.flatMap(([id, fields]) => (fields ? [fromStreamFields(id, fields)] : []));
}

/** The newest entry's ID, or 0-0 for an empty stream: where "from now on" begins. */
export async function streamEnd(redis: RedisClient, key: string): Promise<string> {
  return parseEntries(await redis.call("xrevrange", key, "+", "-", "COUNT", 1))[0]?.streamId ?? "0-0";
}
