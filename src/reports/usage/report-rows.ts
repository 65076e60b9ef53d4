import type { Config } from "../../config/schema.ts";
import { Forbidden, NotFound } from "../../shared/errors.ts";
import type { RbacReaders } from "./granted-permissions.ts";
import type { LifecycleFacts } from "./lifecycle-facts.ts";
import type { ReportQuery } from "./report-query.ts";
import { mergeCounts, type UsageCounts } from "./usage-counts.ts";
import type { UsageRow } from "./usage-store.ts";

/** Where the reports read the aggregates; UsageStore in production. */
export interface UsageReader {
  usage(from: number, to: number): Promise<UsageRow[]>;
  lifecycle(from: number, to: number): Promise<LifecycleFacts>;
}

export interface ReportInput {
  reader: UsageReader;
  config: Config;
  query: ReportQuery;
  /** The query was narrowed to the caller (not an admin): other people's grants are refused. */
  scoped: boolean;
  /** Each cluster's RBAC, for what a role grants (granted against used). */
  readers: RbacReaders;
}

export interface SelectedRows {
  rows: UsageRow[];
  facts: LifecycleFacts;
}

/**
 * The rows a report is about: the window's aggregates narrowed by the query. Lifecycle facts
 * are read from a little before the window (the longest a role's grant may last), so a grant
 * started earlier and used inside the window still has its owner and CI rule.
 */
export async function selectRows(input: ReportInput): Promise<SelectedRows> {
  const { reader, config, query } = input;
  const longestGrantMs = Math.max(...config.roles.map((r) => r.maxTtl)) * 1000;
  const [rows, facts] = await Promise.all([
    reader.usage(query.from, query.to),
    reader.lifecycle(query.from - longestGrantMs, query.to),
  ]);
  if (query.user !== undefined && !input.scoped) await mustKnowUser(input, rows, facts, query.user);
  if (query.grant !== undefined) {
    const fact = facts.grants.get(query.grant);
    const used = rows.some((row) => row.permission.grant === query.grant);
    if (!fact && !used) throw new NotFound(`grant "${query.grant}" has no record in this window`);
    const owner = fact?.user ?? rows.find((row) => row.permission.grant === query.grant)?.permission.user;
    if (input.scoped && owner !== query.user) throw new Forbidden(`grant "${query.grant}" is not yours`);
  }
  const wanted = (row: UsageRow): boolean => {
    const p = row.permission;
    return (
      (query.cluster === undefined || p.cluster === query.cluster) &&
      (query.namespace === undefined || p.namespace === query.namespace) &&
      (query.user === undefined || p.user === query.user) &&
      (query.role === undefined || p.role === query.role) &&
      (query.grant === undefined || p.grant === query.grant) &&
      (query.resource === undefined ||
        (p.resource === query.resource.resource &&
          (query.resource.apiGroup === undefined || p.apiGroup === query.resource.apiGroup))) &&
      (query.ciRule === undefined || facts.grants.get(p.grant)?.ciRule === query.ciRule)
    );
  };
  return { rows: rows.filter(wanted), facts };
}

/** An admin naming someone the broker has never seen (in all it keeps) gets a 404, not a blank report. */
async function mustKnowUser(input: ReportInput, rows: UsageRow[], facts: LifecycleFacts, user: string) {
  if (facts.people.has(user) || rows.some((row) => row.permission.user === user)) return;
  const kept = input.config.reports.usageRetention * 1000;
  const all = await input.reader.lifecycle(input.query.to - kept, input.query.to);
  if (!all.people.has(user)) throw new NotFound(`user "${user}" has no record with the broker`);
}

/** Counts as the reports print them: times in RFC 3339. */
export interface CountsView {
  count: number;
  denied: number;
  execSessions: number;
  firstSeen: string;
  lastSeen: string;
  /** Object names used, while few; "many" past that, [] when only collections were used. */
  names: string[] | "many";
}

export function countsView(counts: UsageCounts): CountsView {
  return {
    count: counts.count,
    denied: counts.denied,
    execSessions: counts.execSessions,
    firstSeen: new Date(counts.firstSeen).toISOString(),
    lastSeen: new Date(counts.lastSeen).toISOString(),
    names: counts.names,
  };
}

/** Rows summed by a key of the caller's choosing, with each group's first row to describe it. */
export function groupRows(
  rows: readonly UsageRow[],
  keyOf: (row: UsageRow) => string,
): { first: UsageRow; counts: UsageCounts; rows: UsageRow[] }[] {
  const groups = new Map<string, { first: UsageRow; counts: UsageCounts; rows: UsageRow[] }>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) {
      mergeCounts(group.counts, row.counts);
      group.rows.push(row);
    } else {
      const names = row.counts.names === "many" ? "many" : [...row.counts.names];
      groups.set(key, { first: row, counts: { ...row.counts, names }, rows: [row] });
    }
  }
  return [...groups.values()];
}

/** The window as the reports state it. */
export function windowView(query: ReportQuery) {
  return {
    since: query.since,
    from: new Date(query.from).toISOString(),
    to: new Date(query.to).toISOString(),
  };
}
