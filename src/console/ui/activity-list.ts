import type { AuditRecord } from "./audit-types.ts";

/** How many records the Activity page keeps: a busy cluster must not grow the page forever. */
export const ACTIVITY_MAX = 500;

/**
 * Orders two stream IDs ("<ms>-<seq>"); across shards the milliseconds still order them by
 * time, which is all a list for people needs.
 */
export function compareStreamIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split("-").map(Number);
  const [bMs = 0, bSeq = 0] = b.split("-").map(Number);
  return aMs - bMs || aSeq - bSeq;
}

/** One row per record id: a request's start and end entries share theirs. */
function keyOf(record: AuditRecord): string {
  return record.id || record.streamId;
}

/**
 * The live list after `incoming` arrives: newest first (by stream ID), one row per record id.
 * A request's end entry takes the place of its start (the row goes from "in flight" to its
 * outcome); an entry already shown, or older than the one shown (a replayed start after its
 * end, the backlog overlapping the stream), changes nothing. Only the newest `max` stay.
 */
export function mergeRecords(
  list: readonly AuditRecord[],
  incoming: readonly AuditRecord[],
  max = ACTIVITY_MAX,
): AuditRecord[] {
  const out = [...list];
  for (const record of incoming) {
    const key = keyOf(record);
    const shown = out.findIndex((r) => keyOf(r) === key);
    if (shown >= 0) {
      if (compareStreamIds(out[shown]!.streamId, record.streamId) >= 0) continue;
      out.splice(shown, 1);
    }
    const at = out.findIndex((r) => compareStreamIds(r.streamId, record.streamId) < 0);
    out.splice(at < 0 ? out.length : at, 0, record);
  }
  return out.length > max ? out.slice(0, max) : out;
}
