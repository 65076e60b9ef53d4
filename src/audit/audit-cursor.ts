import { parseStreamId } from "./stream-ids.ts";

/**
 * Where a reader is in the audit log: per shard, the stream ID it read last (in desc
 * order: the oldest it read). A client sees it as the IDs joined by "," in shard order —
 * with one shard, a plain stream ID, exactly as before sharding. A position per shard,
 * rather than one time, is what makes paging and resuming exact: shards get their IDs from
 * their own node's clock, and a record can land in one shard with an ID below one already
 * read from another; it is still after that shard's position, so it is read, once.
 *
 * A single plain stream ID is also taken with several shards, as the same position in
 * every shard (`after=0-0` from the start; a cursor kept from before sharding).
 */
export type AuditCursor = readonly string[];

export function formatCursor(cursor: AuditCursor): string {
  return cursor.join(",");
}

/** The cursor `value` names for `shardCount` shards, or undefined when it is not one. */
export function parseCursor(value: string, shardCount: number): AuditCursor | undefined {
  const parts = value.split(",");
  if (parts.length !== 1 && parts.length !== shardCount) return undefined;
  const ids = parts.map(parseStreamId);
  if (ids.some((id) => id === undefined)) return undefined;
  return ids.length === 1 ? Array.from({ length: shardCount }, () => ids[0]!) : (ids as string[]);
}
