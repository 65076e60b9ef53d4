import { matchesSubjects, privilegedReason } from "../../policy/index.ts";
import {
  candidates,
  type ReportInput,
  ruleView,
  selectRows,
  standingRulesOn,
  type UnusedStandingRule,
  usedUnderRule,
  windowView,
} from "../usage/index.ts";
import type { ReviewQuery } from "./review-query.ts";

/** An open grant as the review needs it; the grants feature's Grant fits by shape. */
export interface OpenGrant {
  id: string;
  principal: { name: string };
  cluster: string;
  role: string;
  origin: "standing" | "request" | "ci" | "break-glass";
  namespaces: string[];
  createdAt: number;
  activatedAt?: number;
  expiresAt: number;
}

/** Where the review reads the grants not yet ended (the grants feature). */
export interface OpenGrants {
  listOpen(): Promise<OpenGrant[]>;
}

export interface ReviewInput extends Omit<ReportInput, "query" | "scoped"> {
  query: ReviewQuery;
  grants: OpenGrants;
  now: number;
}

/** What a person covered by a standing rule did with it in the window. */
export interface ReviewPrincipal {
  user: string;
  /** The last use of the rule's roles through the gateway in the window; null when none. */
  lastUsed: string | null;
  /** No use in the last `unusedFor`: a candidate for removal from the rule. */
  unused: boolean;
}

export interface ReviewGrant {
  id: string;
  user: string;
  cluster: string;
  role: string;
  origin: string;
  namespaces: string[];
  startedAt: string;
  /** Open grants only: the deadline; a grant of the window that has ended has none here. */
  expiresAt?: string;
}

/** `GET /v1/reports/review`: what an owner signs off each quarter, self-describing as JSON. */
export interface ReviewReport {
  kind: "ReviewReport";
  generatedAt: string;
  window: ReturnType<typeof windowView>;
  /** The cluster reviewed; null for every cluster. */
  cluster: string | null;
  /** The thresholds, in seconds. */
  unusedFor: number;
  olderThan: number;
  /** What "a principal a rule covers" can and cannot know (docs/reports.md). */
  coverage: string;
  summary: {
    principals: number;
    unused: number;
    openGrants: number;
    privilegedGrants: number;
    breakGlassGrants: number;
  };
  standingRules: (UnusedStandingRule & { principals: ReviewPrincipal[] })[];
  /** Grants still open that started `olderThan` or longer ago, oldest first. */
  openGrants: (ReviewGrant & { ageSeconds: number })[];
  /** Grants of privileged roles that started in the window, newest first. */
  privilegedGrants: (ReviewGrant & { why: string })[];
  /** Break-glass grants (taken with no approver) that started in the window, newest first. */
  breakGlassGrants: ReviewGrant[];
}

const COVERAGE =
  "Principals are the people the broker saw in the window (signed in or held a grant) whom a rule's subjects match, with the groups of their latest sign-in or grant, plus users a rule names without a glob. Members of a group who never signed in in the window, and group changes since someone's last sign-in, are not known to the broker: check group membership in the identity provider.";

/**
 * `report review`: for each standing rule and each principal it covers, the last use and
 * whether the access went unused for `unusedFor`; open grants older than `olderThan`; and
 * grants of privileged roles (privilegedReason) and break-glass grants that started in the
 * window.
 */
export async function reviewReport(input: ReviewInput): Promise<ReviewReport> {
  const { config, query, now } = input;
  const usage = { ...input, scoped: false };
  const { rows, facts } = await selectRows(usage);
  const people = candidates(usage, facts);
  const inCluster = (cluster: string) => query.cluster === undefined || cluster === query.cluster;
  const unusedSince = now - query.unusedFor * 1000;

  const standingRules = standingRulesOn(config, query.cluster).map(({ rule, index }) => ({
    ...ruleView({ rule, index }),
    principals: people
      .filter((person) => matchesSubjects(rule.subjects, person))
      .map((person): ReviewPrincipal => {
        const last = Math.max(
          0,
          ...rows
            .filter((row) => row.permission.user === person.name && usedUnderRule(rule, row, facts))
            .map((row) => row.counts.lastSeen),
        );
        return {
          user: person.name,
          lastUsed: last ? new Date(last).toISOString() : null,
          unused: last < unusedSince,
        };
      }),
  }));

  const open = (await input.grants.listOpen()).filter((g) => inCluster(g.cluster));
  const startOf = (g: OpenGrant) => g.activatedAt ?? g.createdAt;
  const view = (g: OpenGrant): ReviewGrant => ({
    id: g.id,
    user: g.principal.name,
    cluster: g.cluster,
    role: g.role,
    origin: g.origin,
    namespaces: g.namespaces,
    startedAt: new Date(startOf(g)).toISOString(),
    expiresAt: new Date(g.expiresAt).toISOString(),
  });
  const openGrants = open
    .filter((g) => now - startOf(g) >= query.olderThan * 1000)
    .sort((a, b) => startOf(a) - startOf(b))
    .map((g) => ({ ...view(g), ageSeconds: Math.floor((now - startOf(g)) / 1000) }));

  // Ended grants are known from their grant.started records; open ones from the grant store
  // too, so one the aggregator has not yet counted is not missed.
  const privileged = new Map<string, ReviewGrant & { why: string }>();
  const breakGlass = new Map<string, ReviewGrant>();
  const add = (grant: ReviewGrant) => {
    const at = Date.parse(grant.startedAt);
    if (!inCluster(grant.cluster) || at < query.from || at > query.to) return;
    const why = privilegedReason(config.roles.find((r) => r.name === grant.role));
    if (why) privileged.set(grant.id, { ...grant, why });
    if (grant.origin === "break-glass") breakGlass.set(grant.id, grant);
  };
  for (const [id, fact] of facts.grants) {
    const { user, cluster, role, origin, namespaces } = fact;
    add({ id, user, cluster, role, origin, namespaces, startedAt: new Date(fact.at).toISOString() });
  }
  for (const grant of open) add(view(grant));
  const newestFirst = (a: ReviewGrant, b: ReviewGrant) => b.startedAt.localeCompare(a.startedAt);
  const privilegedGrants = [...privileged.values()].sort(newestFirst);
  const breakGlassGrants = [...breakGlass.values()].sort(newestFirst);

  const principals = standingRules.flatMap((r) => r.principals);
  return {
    kind: "ReviewReport",
    generatedAt: new Date(now).toISOString(),
    window: windowView(query),
    cluster: query.cluster ?? null,
    unusedFor: query.unusedFor,
    olderThan: query.olderThan,
    coverage: COVERAGE,
    summary: {
      principals: principals.length,
      unused: principals.filter((p) => p.unused).length,
      openGrants: openGrants.length,
      privilegedGrants: privilegedGrants.length,
      breakGlassGrants: breakGlassGrants.length,
    },
    standingRules,
    openGrants,
    privilegedGrants,
    breakGlassGrants,
  };
}
