import { keyspace } from "../shared/redis.ts";

/**
 * Every audit key lives under the `{audit}` hash tag, so the append script (stream plus a
 * writer's sequence key) and the leases land in one Redis Cluster slot.
 */
export interface AuditKeys {
  /** The audit stream itself. */
  log: string;
  /** The highest spool sequence of one writer already in the stream (replay idempotency). */
  writerSequence(writerId: string): string;
  retentionLease: string;
  exportLease: string;
}

export const EXPORT_GROUP = "kb-export";

export function auditKeys(prefix: string): AuditKeys {
  const key = keyspace(prefix, "audit");
  return {
    log: key("log"),
    writerSequence: (writerId) => key("writer", writerId),
    retentionLease: key("retention", "lease"),
    exportLease: key("export", "lease"),
  };
}
