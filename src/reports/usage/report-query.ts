import type { Config } from "../../config/schema.ts";
import { formatDuration, parseDuration } from "../../shared/duration.ts";
import { Forbidden, Invalid, NotFound } from "../../shared/errors.ts";
import type { Principal } from "../../shared/principal.ts";

export type UsageReportKind = "usage" | "unused" | "access";
/**
 * The reports whose query this parses: the usage reports, suggest-role (src/reports/suggest),
 * and the review's window and cluster (src/reports/review).
 */
export type ReportKind = UsageReportKind | "suggest-role" | "review";

/** What a usage, unused or access report is asked about, checked. */
export interface ReportQuery {
  /** The window, in seconds back from now, and the same as times (ms). */
  since: number;
  from: number;
  to: number;
  cluster?: string;
  namespace?: string;
  /** A resource as the API names it; `apiGroup` when it was given group-qualified. */
  resource?: { resource: string; apiGroup?: string };
  user?: string;
  role?: string;
  grant?: string;
  ciRule?: string;
}

const PARAMS: Record<ReportKind, readonly string[]> = {
  usage: ["since", "cluster", "role", "user", "grant", "ciRule"],
  "suggest-role": ["since", "cluster", "role", "user", "grant", "ciRule"],
  unused: ["since", "cluster"],
  access: ["since", "cluster", "namespace", "resource", "user"],
  // The review's own thresholds are taken off before this parse (review/review-query.ts).
  review: ["since", "cluster"],
};
const DEFAULT_SINCE: Record<ReportKind, number> = {
  usage: 30 * 86400,
  "suggest-role": 30 * 86400,
  unused: 30 * 86400,
  access: 86400,
  review: 90 * 86400,
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const RESOURCE = /^([a-z0-9-]{1,63})(?:\.([a-z0-9][a-z0-9.-]{0,252}))?$/;
const GRANT_ID = /^[A-Za-z0-9_-]{1,100}$/;
const MAX_NAME = 512;

/**
 * The query parameters of GET /v1/reports/{usage,unused,access}, one by one: a bad value is
 * a 422 naming it, a name the config does not know (cluster, role, CI rule) a 404, and an
 * unknown parameter a 422 too, so a typo never widens a report silently.
 */
export function parseReportQuery(
  kind: ReportKind,
  raw: Record<string, unknown>,
  config: Config,
  now: number,
): ReportQuery {
  const allowed = PARAMS[kind];
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!allowed.includes(name)) throw invalid(name, `unknown query parameter; use ${allowed.join(", ")}`);
    if (typeof value !== "string") throw invalid(name, "give it once, as a single value");
    if (value === "" || value.length > MAX_NAME) throw invalid(name, `must be 1 to ${MAX_NAME} characters`);
    values[name] = value;
  }
  const since =
    values.since === undefined
      ? Math.min(DEFAULT_SINCE[kind], config.reports.usageRetention)
      : windowParam("since", values.since, config);
  const query: ReportQuery = { since, from: now - since * 1000, to: now };
  if (values.cluster !== undefined) {
    if (!config.clusters.some((c) => c.name === values.cluster))
      throw new NotFound(`cluster "${values.cluster}" is not one the broker knows`);
    query.cluster = values.cluster;
  }
  if (values.role !== undefined) {
    if (!config.roles.some((r) => r.name === values.role))
      throw new NotFound(`role "${values.role}" is not in the broker's config`);
    query.role = values.role;
  }
  if (values.ciRule !== undefined) {
    if (!config.ci.rules.some((r) => r.name === values.ciRule))
      throw new NotFound(`CI rule "${values.ciRule}" is not in the broker's config`);
    query.ciRule = values.ciRule;
  }
  if (values.namespace !== undefined) {
    if (!DNS_LABEL.test(values.namespace))
      throw invalid("namespace", "must be a namespace name (DNS-1123 label)");
    query.namespace = values.namespace;
  }
  if (values.resource !== undefined) {
    const match = RESOURCE.exec(values.resource);
    if (!match) throw invalid("resource", "must be a resource such as secrets or deployments.apps");
    query.resource = { resource: match[1]!, ...(match[2] ? { apiGroup: match[2] } : {}) };
  }
  if (values.grant !== undefined) {
    if (!GRANT_ID.test(values.grant))
      throw invalid("grant", "must be a grant ID (kubectl broker grants lists them)");
    query.grant = values.grant;
  }
  if (values.user !== undefined) query.user = values.user;
  return query;
}

/**
 * A window back from now, given as query parameter `name`: "30d", "12h"; at least a minute,
 * at most what the aggregates keep.
 */
export function windowParam(name: string, value: string, config: Config): number {
  const seconds = /^\d/.test(value) ? parseDuration(value) : undefined;
  if (seconds === undefined) throw invalid(name, "must be a duration such as 24h or 30d (that long ago)");
  const kept = config.reports.usageRetention;
  if (seconds < 60) throw invalid(name, "must be at least 1m");
  if (seconds > kept)
    throw invalid(
      name,
      `must be at most ${formatDuration(kept)}: usage is kept that long (reports.usageRetention)`,
    );
  return seconds;
}

/**
 * Admins may ask about anyone. Anyone else gets reports about their own access: no user
 * means "mine", and naming someone else is refused rather than quietly narrowed.
 */
export function scopeToCaller(query: ReportQuery, principal: Principal, admin: boolean): ReportQuery {
  if (admin) return query;
  if (query.user !== undefined && query.user !== principal.name) {
    throw new Forbidden(
      `only admins may see reports about other people; ${principal.name} may see their own`,
    );
  }
  return { ...query, user: principal.name };
}

export function invalid(name: string, message: string): Invalid {
  return new Invalid(`query parameter "${name}": ${message}`, {
    details: { causes: [{ field: name, message, reason: "FieldValueInvalid" }] },
  });
}
