import type { GrantKind, LifecycleAuditRecord } from "../../audit/index.ts";

/** A grant as the reports need it, from its grant.started record. */
export interface GrantFact {
  user: string;
  groups: string[];
  cluster: string;
  role: string;
  namespaces: string[];
  origin: "standing" | "request" | "ci" | "break-glass";
  /** The CI rule that matched, for CI grants. */
  ciRule?: string;
  /** When it started (ms). */
  at: number;
}

const ORIGIN_OF_KIND = {
  standing: "standing",
  requested: "request",
  ci: "ci",
  "break-glass": "break-glass",
} as const satisfies Record<GrantKind, GrantFact["origin"]>;

/**
 * Records say their grant's kind (grantKind); those written before it existed are read as
 * then: CI grants say which rule matched in their reason ("CI rule <name>: repository=…", written
 * by identity/ci's ciReason); grants from access requests name the request.
 */
const CI_REASON = /^CI rule (.+?): /;

export function grantFact(record: LifecycleAuditRecord): GrantFact {
  const ciRule = CI_REASON.exec(record.detail)?.[1];
  return {
    user: record.user,
    groups: splitList(record.groups),
    cluster: record.cluster,
    role: record.role,
    namespaces: splitList(record.namespace),
    origin: originOf(record, ciRule),
    ...(ciRule !== undefined ? { ciRule } : {}),
    at: Date.parse(record.ts) || 0,
  };
}

function originOf(record: LifecycleAuditRecord, ciRule: string | undefined): GrantFact["origin"] {
  const kind = record.grantKind as GrantKind | "" | undefined;
  if (kind && kind in ORIGIN_OF_KIND) return ORIGIN_OF_KIND[kind];
  if (ciRule !== undefined) return "ci";
  return record.request ? "request" : "standing";
}

function splitList(value: string): string[] {
  return value ? value.split(",") : [];
}

/** The lifecycle facts of a window: grants by id, and people (with their groups) by name. */
export interface LifecycleFacts {
  grants: Map<string, GrantFact>;
  people: Map<string, string[]>;
}

/** Adds one day's lifecycle hash (HGETALL) into `into`; later days win for people's groups. */
export function addLifecycleDay(into: LifecycleFacts, hash: Record<string, string>): void {
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith("u|")) into.people.set(field.slice(2), splitList(value));
    else if (field.startsWith("g|")) {
      try {
        into.grants.set(field.slice(2), JSON.parse(value) as GrantFact);
      } catch {
        // A fact this version cannot read is left out rather than failing the report.
      }
    }
  }
}
