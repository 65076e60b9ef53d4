import type { AuditEntry, LifecycleAuditRecord, RequestAuditRecord } from "../../audit/index.ts";
import { type GrantFact, grantFact } from "./lifecycle-facts.ts";
import { mergeCounts, packCounts, permissionField, type UsageCounts } from "./usage-counts.ts";
import { bucketExpiry, dayOf, type UsageShardKeys } from "./usage-keys.ts";

/** What one batch of a shard's entries adds: per key, its expiry and its hash writes. */
export interface BatchPlan {
  keys: string[];
  /** EXPIREAT of each key (seconds): the end of its day plus the retention. */
  expireAt: number[];
  /** Per key, the fields to merge (packed counts) and the fields to set (lifecycle facts). */
  merge: Map<string, string>[];
  set: Map<string, string>[];
}

export interface PlanOptions {
  keys: UsageShardKeys;
  now: number;
  retentionSeconds: number;
}

/**
 * Turns a batch of stream entries into the writes that add them to the aggregates, merging
 * within the batch first (a busy permission is one write however often it was used). Only
 * the `end` entry of a request counts (it is the whole record; the `start` is its twin), and
 * a day already past its retention is skipped rather than written and expired at once.
 */
export function planBatch(entries: readonly AuditEntry[], options: PlanOptions): BatchPlan {
  const plan: BatchPlan = { keys: [], expireAt: [], merge: [], set: [] };
  const slots = new Map<string, number>();
  const counts = new Map<number, Map<string, UsageCounts>>();
  const slotOf = (key: string, day: string): number => {
    let slot = slots.get(key);
    if (slot === undefined) {
      slot = plan.keys.push(key) - 1;
      slots.set(key, slot);
      plan.expireAt.push(bucketExpiry(day, options.retentionSeconds));
      plan.merge.push(new Map());
      plan.set.push(new Map());
      counts.set(slot, new Map());
    }
    return slot;
  };
  const oldest = options.now / 1000 - options.retentionSeconds;
  for (const entry of entries) {
    const ms = recordTime(entry);
    const day = dayOf(ms);
    if (bucketExpiry(day, 0) < oldest) continue;
    if (entry.type === "request" && entry.phase === "end") {
      const slot = slotOf(options.keys.day(day), day);
      const field = permissionField(entry);
      const one = countsOf(entry, ms);
      const seen = counts.get(slot)!.get(field);
      counts.get(slot)!.set(field, seen ? mergeCounts(seen, one) : one);
    } else if (entry.type === "lifecycle") {
      const facts = lifecycleFacts(entry);
      if (facts.length === 0) continue;
      const slot = slotOf(options.keys.lifecycle(day), day);
      for (const [field, value] of facts) plan.set[slot]!.set(field, value);
    }
  }
  for (const [slot, fields] of counts) {
    for (const [field, value] of fields) plan.merge[slot]!.set(field, packCounts(value));
  }
  return plan;
}

/** The record's own time; its stream ID's if the record's is unreadable. */
function recordTime(entry: AuditEntry): number {
  const ms = Date.parse(entry.ts);
  return Number.isNaN(ms) ? Number(entry.streamId.split("-")[0]) : ms;
}

const EXEC_VERBS = new Set(["exec", "attach"]);

function countsOf(record: RequestAuditRecord, ms: number): UsageCounts {
  return {
    count: 1,
    denied: record.decision === "denied-by-broker" || record.decision === "denied-by-cluster" ? 1 : 0,
    execSessions: EXEC_VERBS.has(record.verb) || EXEC_VERBS.has(record.subresource) ? 1 : 0,
    firstSeen: ms,
    lastSeen: ms,
    names: record.name ? [record.name] : [],
  };
}

/**
 * What the reports need from lifecycle records: each grant's owner, role and origin (a CI
 * rule's name for CI grants, which its request records do not carry), and who was around
 * (people whose standing access went unused never send a request).
 */
function lifecycleFacts(record: LifecycleAuditRecord): [string, string][] {
  const facts: [string, string][] = [];
  if (record.user && ["login", "token.issued", "grant.started"].includes(record.event)) {
    facts.push([`u|${record.user}`, record.groups]);
  }
  if (record.event === "grant.started" && record.grant) {
    const fact: GrantFact = grantFact(record);
    facts.push([`g|${record.grant}`, JSON.stringify(fact)]);
  }
  return facts;
}
