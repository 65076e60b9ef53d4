import { auditKeys } from "../../src/audit/audit-keys.ts";
import type { RequestAuditRecord } from "../../src/audit/record.ts";
import { type AuditEntry, fromStreamFields } from "../../src/audit/record-fields.ts";
import { compareStreamIds } from "../../src/audit/stream-ids.ts";
import type { AnyRedisHarness } from "./redis-topology.ts";

/** Any topology's harness: a single server, a Cluster or Sentinel. */
type RedisHarness = Pick<AnyRedisHarness, "keyPrefix" | "client">;

/** Every record in the audit stream (all `shards` of it), read straight from Redis, oldest first. */
export async function readAudit(redis: RedisHarness, shards = 1): Promise<AuditEntry[]> {
  const client = redis.client();
  const logs = auditKeys(redis.keyPrefix, shards).shards.map((shard) => shard.log);
  const entries = (await Promise.all(logs.map((log) => client.xrange(log, "-", "+")))).flat();
  entries.sort(([a], [b]) => compareStreamIds(a, b));
  return entries.map(([id, fields]) => fromStreamFields(id, fields));
}

/** The completed request records (phase end), optionally only those matching `where`. */
export async function requestRecords(
  redis: RedisHarness,
  where: Partial<RequestAuditRecord> = {},
  shards = 1,
): Promise<(RequestAuditRecord & { streamId: string })[]> {
  return (await readAudit(redis, shards)).filter(
    (e): e is RequestAuditRecord & { streamId: string } =>
      e.type === "request" &&
      e.phase === "end" &&
      Object.entries(where).every(([k, v]) => (e as unknown as Record<string, string>)[k] === v),
  );
}

/** Polls until a matching end record exists (end records are written after the response). */
export async function waitForRecord(
  redis: RedisHarness,
  where: Partial<RequestAuditRecord>,
  timeoutMs = 3000,
  shards = 1,
): Promise<RequestAuditRecord & { streamId: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [found] = await requestRecords(redis, where, shards);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no audit record like ${JSON.stringify(where)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
