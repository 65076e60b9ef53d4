import { formatDuration } from "../../shared/duration.ts";
import { Conflict, NotFound } from "../../shared/errors.ts";
import type { PolicyRule } from "../rbac/index.ts";
import {
  filterView,
  invalid,
  type ReportInput,
  selectRows,
  type UsageRow,
  windowView,
} from "../usage/index.ts";
import { type LeftOutUse, minimalRules, type ObservedUse, refusal } from "./minimal-rules.ts";
import { brokerClusterRole, roleManifests } from "./role-manifests.ts";
import type { SuggestOptions } from "./suggest-query.ts";

/** The `roles:` entry that makes the suggested ClusterRole a role of the broker's config. */
export interface BrokerRoleEntry {
  name: string;
  clusterRole: string;
  /** Only when use outside namespaces was observed: the broker then binds it cluster-wide. */
  scope?: "cluster";
  maxTtl: string;
}

export interface SuggestedRole {
  kind: "SuggestedRole";
  window: ReturnType<typeof windowView>;
  filter: Record<string, string>;
  /** Whose use it was built from: `user "dev@example.com"`. */
  subject: string;
  cluster: string;
  name: string;
  /** The namespaces where permissions were used; each gets a RoleBinding. */
  namespaces: string[];
  /** What was used inside those namespaces. */
  rules: PolicyRule[];
  /** What was used outside any namespace (cluster-scoped resources, lists across namespaces). */
  clusterRules: PolicyRule[];
  /** Uses the role does not cover, and why. */
  leftOut: LeftOutUse[];
  /** Ready for `kubectl apply -f`: Role or ClusterRole, and its bindings. */
  manifests: { apiVersion: "v1"; kind: "List"; items: object[] };
  /** With asBrokerRole: the entry to add under `roles:` in the broker's config. */
  brokerRole?: BrokerRoleEntry;
}

/** The broker's own default maxTtl of a role (config schema), when no role of the use has one. */
const DEFAULT_MAX_TTL = 8 * 3600;

/**
 * `report suggest-role`: the smallest role that allows what the subject did through the
 * gateway in the window, in one cluster (minimal-rules.ts), with the manifests to apply
 * (role-manifests.ts). No use at all, or only uses no role is needed for, is a 404 that says
 * so: an empty role would read as "needs nothing".
 */
export async function suggestRole(
  input: ReportInput,
  options: SuggestOptions & { subject: string; defaultName: string },
): Promise<SuggestedRole> {
  const { query, config } = input;
  const { rows } = await selectRows(input);
  const window = `in the last ${formatDuration(query.since)}`;
  if (rows.length === 0)
    throw new NotFound(
      `no request of ${options.subject} went through the gateway ${window}: there is nothing to build a role from`,
    );
  const cluster = query.cluster ?? oneCluster(rows);
  const used = rows.filter((row) => row.permission.cluster === cluster);
  const outside = used.filter((row) => row.permission.namespace === "");
  const inside = used.filter((row) => row.permission.namespace !== "");
  const clusterWide = minimalRules(outside.map(observed));
  // What the cluster-wide rules allow already needs no namespaced rule too.
  const namespaced = minimalRules(inside.map(observed), clusterWide.rules);
  const leftOut = [...clusterWide.leftOut, ...namespaced.leftOut];
  if (clusterWide.rules.length === 0 && namespaced.rules.length === 0)
    throw new NotFound(
      `${options.subject} made no request ${window} that a role is needed for (${leftOut.length} left out: ${leftOut[0]?.reason ?? "none"})`,
    );
  const namespaces = [
    ...new Set(inside.filter((row) => !refusal(observed(row))).map((row) => row.permission.namespace)),
  ].sort();
  const name = options.name ?? options.defaultName;
  const origin = `${options.subject}, ${new Date(query.from).toISOString()} to ${new Date(query.to).toISOString()}`;
  const report: SuggestedRole = {
    kind: "SuggestedRole",
    window: windowView(query),
    filter: filterView(input),
    subject: options.subject,
    cluster,
    name,
    namespaces: namespaced.rules.length > 0 ? namespaces : [],
    rules: namespaced.rules,
    clusterRules: clusterWide.rules,
    leftOut,
    manifests: { apiVersion: "v1", kind: "List", items: [] },
  };
  if (!options.asBrokerRole) {
    report.manifests.items = roleManifests({ ...report, bindTo: options.bindTo, origin });
    return report;
  }
  if (config.roles.some((role) => role.name === name))
    throw new Conflict(`the broker's config already has a role "${name}": choose another name`);
  // A broker role is one ClusterRole that the broker binds for each grant, so both parts go in it.
  const rules = minimalRules(used.map(observed)).rules;
  report.manifests.items = [brokerClusterRole(name, rules, origin)];
  report.brokerRole = {
    name,
    clusterRole: name,
    ...(clusterWide.rules.length > 0 ? { scope: "cluster" as const } : {}),
    maxTtl: formatDuration(longestMaxTtl(input, used)),
  };
  return report;
}

function observed(row: UsageRow): ObservedUse {
  const { permission: p, counts } = row;
  return {
    verb: p.verb,
    apiGroup: p.apiGroup,
    resource: p.resource,
    subresource: p.subresource,
    count: counts.count,
    denied: counts.denied,
    names: counts.names,
  };
}

/** A role is made for one cluster: use in several needs the caller to say which. */
function oneCluster(rows: readonly UsageRow[]): string {
  const clusters = [...new Set(rows.map((row) => row.permission.cluster))].sort();
  if (clusters.length > 1)
    throw invalid("cluster", `the use spans clusters ${clusters.join(", ")}: name one to build its role`);
  return clusters[0]!;
}

/** The longest maxTtl of the broker roles the use was made under: the new role keeps that bound. */
function longestMaxTtl(input: ReportInput, rows: readonly UsageRow[]): number {
  const roles = new Set(rows.map((row) => row.permission.role));
  const ttls = input.config.roles.filter((role) => roles.has(role.name)).map((role) => role.maxTtl);
  return ttls.length > 0 ? Math.max(...ttls) : DEFAULT_MAX_TTL;
}
