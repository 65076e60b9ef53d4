import { keyspace } from "../shared/redis.ts";
import type { IndexField } from "./audit-index.ts";
import type { AuditRecord } from "./record.ts";
import { shardTags } from "./shard-tags.ts";

/** One shard: its stream and, in the same hash tag (one Cluster slot), its writers' marks. */
export interface ShardKeys {
  /** The shard's audit stream. */
  log: string;
  /** The highest spool sequence of one writer already in this stream (replay idempotency). */
  writerSequence(writerId: string): string;
  /** The index of this shard's records with `field` = `value` (audit-index.ts). */
  index(field: IndexField, value: string): string;
  /** The first record this shard indexed: records before it (an older version's) are not. */
  indexStart: string;
  /** The names of this shard's indexes (a set), for the retention pass to trim. */
  indexes: string;
}

/**
 * The audit stream is split into `audit.shards` streams so that, on a Redis Cluster, its
 * writes spread over several slots (and so nodes) instead of one. Shard 0 lives under the
 * `{audit}` hash tag with exactly the key names an unsharded stream always had (an upgrade
 * keeps its history); shard i under a tag of its own in another part of the slot range
 * (shard-tags.ts). Each shard's writer marks share its hash
 * tag, so the append script touches one slot. The leases stay under `{audit}`.
 */
export interface AuditKeys {
  shards: readonly ShardKeys[];
  /** Shard 0's stream (the only one with one shard). */
  log: string;
  retentionLease: string;
  /** The lease of one shard's export worker. */
  exportLease(shard: number): string;
}

export const EXPORT_GROUP = "kb-export";

export function auditKeys(prefix: string, shardCount = 1): AuditKeys {
  const key = keyspace(prefix, "audit");
  const shards = shardTags(shardCount).map((tag) => {
    const shardKey = keyspace(prefix, tag);
    return {
      log: shardKey("log"),
      writerSequence: (writerId: string) => shardKey("writer", writerId),
      index: (field: IndexField, value: string) => shardKey("idx", field, value),
      indexStart: shardKey("idx-start"),
      indexes: shardKey("idx-keys"),
    };
  });
  return {
    shards,
    log: shards[0]!.log,
    retentionLease: key("retention", "lease"),
    exportLease: (shard) => (shard === 0 ? key("export", "lease") : key("export", "lease", String(shard))),
  };
}

/**
 * The shard a record goes to. A request's records (start and end share its id) hash by
 * that id, so they land in one stream in the order they were written, and a hot user or
 * grant still spreads over every shard. Lifecycle events are few, and their order across
 * a grant's or a request's life matters (started before ended, approved before started,
 * whose ids differ), so they all go to shard 0, where that order is the stream's order.
 */
export function shardOf(record: Pick<AuditRecord, "type" | "id">, shardCount: number): number {
  if (shardCount <= 1 || record.type === "lifecycle") return 0;
  // FNV-1a: cheap, stable across processes and versions, spreads random ids evenly.
  let hash = 0x811c9dc5;
  for (let i = 0; i < record.id.length; i++) {
    hash ^= record.id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shardCount;
}
