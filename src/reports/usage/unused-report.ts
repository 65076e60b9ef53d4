import type { StandingRule } from "../../config/schema.ts";
import { globMatch, matchesSubjects } from "../../policy/index.ts";
import type { Principal } from "../../shared/principal.ts";
import { type Granted, type GrantedPermission, grantedPermissions } from "./granted-permissions.ts";
import type { LifecycleFacts } from "./lifecycle-facts.ts";
import { type ReportInput, selectRows, windowView } from "./report-rows.ts";
import { filterView } from "./usage-report.ts";
import type { UsageRow } from "./usage-store.ts";

export interface UnusedStandingRule {
  /** Its place in policies.standing (0-based), which is how the config names it. */
  index: number;
  subjects: StandingRule["subjects"];
  clusters: string[];
  roles: string[];
  namespaces: string[];
}

export interface UnusedReport {
  kind: "UnusedReport";
  window: ReturnType<typeof windowView>;
  filter: Record<string, string>;
  /** Roles nobody used through the gateway. */
  roles: { role: string; clusterRole?: string; namespacedRole?: string }[];
  /** Standing rules under which nobody used anything. */
  standingRules: UnusedStandingRule[];
  /** CI rules that no job matched. */
  ciRules: { name: string; cluster: string; role: string }[];
  /** People a standing rule covers who used none of its roles (the access review's input). */
  people: { user: string; rule: number; roles: string[]; clusters: string[] }[];
  /** Of the roles that were used, each verb on each resource they grant that nobody used. */
  permissions: GrantedPermission[];
  /** Clusters whose roles could not be read for `permissions`, and why. */
  skipped: Granted["skipped"];
}

/**
 * `report unused`: what was granted and nobody used in the window. People are those the
 * broker saw in the window (signed in, or held a grant) plus users a standing rule names
 * without a glob; someone covered only by a group or a glob who never signed in is unknown
 * to the broker. A caller who is not an admin gets this about their own access only.
 */
export async function unusedReport(input: ReportInput): Promise<UnusedReport> {
  const { config, query } = input;
  const { rows, facts } = await selectRows(input);
  const inCluster = (patterns: string[]) =>
    query.cluster === undefined || patterns.some((pattern) => globMatch(pattern, query.cluster!));
  const people = candidates(input, facts);
  const rules = standingRulesOn(config, query.cluster).filter(
    ({ rule }) => query.user === undefined || people.some((p) => matchesSubjects(rule.subjects, p)),
  );

  const usedUnder = (rule: StandingRule, row: UsageRow) => usedUnderRule(rule, row, facts);
  const rowPrincipal = (row: UsageRow) =>
    principal(
      row.permission.user,
      facts.grants.get(row.permission.grant)?.groups ?? facts.people.get(row.permission.user) ?? [],
    );

  const roleNames =
    query.user === undefined
      ? config.roles.map((r) => r.name)
      : [...new Set(rules.flatMap(({ rule }) => rule.roles))];
  const usedRoles = new Set(rows.map((row) => row.permission.role));
  const matchedCiRules = new Set(
    [...facts.grants.values()].flatMap((g) => (g.ciRule && g.at >= query.from ? [g.ciRule] : [])),
  );

  const clusters = query.cluster ? [query.cluster] : config.clusters.map((c) => c.name);
  const granted = await grantedPermissions(
    config,
    input.readers,
    { roles: roleNames.filter((name) => usedRoles.has(name)), clusters },
    rows,
  );
  return {
    kind: "UnusedReport",
    window: windowView(query),
    filter: filterView(input),
    roles: roleNames
      .filter((name) => !usedRoles.has(name))
      .map((name) => {
        const role = config.roles.find((r) => r.name === name)!;
        return {
          role: name,
          ...(role.clusterRole ? { clusterRole: role.clusterRole } : { namespacedRole: role.role! }),
        };
      }),
    standingRules: rules
      .filter(
        ({ rule }) =>
          !rows.some((row) => usedUnder(rule, row) && matchesSubjects(rule.subjects, rowPrincipal(row))),
      )
      .map(ruleView),
    ciRules:
      query.user === undefined
        ? config.ci.rules
            .filter((rule) => inCluster([rule.cluster]) && !matchedCiRules.has(rule.name))
            .map((rule) => ({ name: rule.name, cluster: rule.cluster, role: rule.role }))
        : [],
    people: rules.flatMap(({ rule, index }) =>
      people
        .filter((person) => matchesSubjects(rule.subjects, person))
        .filter((person) => !rows.some((row) => row.permission.user === person.name && usedUnder(rule, row)))
        .map((person) => ({ user: person.name, rule: index, roles: rule.roles, clusters: rule.clusters })),
    ),
    permissions: granted.permissions.filter((p) => p.used === 0),
    skipped: granted.skipped,
  };
}

/** The standing rules that may apply on `cluster` (all of them without one), with their place. */
export function standingRulesOn(
  config: ReportInput["config"],
  cluster: string | undefined,
): { rule: StandingRule; index: number }[] {
  return config.policies.standing
    .map((rule, index) => ({ rule, index }))
    .filter(({ rule }) => cluster === undefined || rule.clusters.some((p) => globMatch(p, cluster)));
}

/** A standing rule as the reports show it. */
export function ruleView({ rule, index }: { rule: StandingRule; index: number }): UnusedStandingRule {
  const { subjects, clusters, roles, namespaces } = rule;
  return { index, subjects, clusters, roles, namespaces };
}

/**
 * Whether a use counts for a standing rule: one of its roles, on one of its clusters, and not
 * under a grant that came from an access request, break-glass or a CI job (those are not
 * standing access). A grant the facts do not know counts as standing.
 */
export function usedUnderRule(rule: StandingRule, row: UsageRow, facts: LifecycleFacts): boolean {
  const origin = facts.grants.get(row.permission.grant)?.origin;
  return (
    rule.roles.includes(row.permission.role) &&
    rule.clusters.some((pattern) => globMatch(pattern, row.permission.cluster)) &&
    (origin === undefined || origin === "standing")
  );
}

/** The people the report can speak of (see unusedReport); only the caller when scoped. */
export function candidates(input: ReportInput, facts: LifecycleFacts): Principal[] {
  const { query, config } = input;
  const named = config.policies.standing.flatMap((rule) =>
    rule.subjects.users.filter((u) => !/[*?]/.test(u)),
  );
  const names =
    query.user !== undefined ? [query.user] : [...new Set([...facts.people.keys(), ...named])].sort();
  return names.map((name) => principal(name, facts.people.get(name) ?? []));
}

function principal(name: string, groups: string[]): Principal {
  return { kind: "user", subject: name, name, groups };
}
