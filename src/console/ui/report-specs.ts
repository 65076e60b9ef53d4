/**
 * The reports the console offers (GET /v1/reports/<kind>, docs/reports.md): who may see each,
 * the parameters each takes (report-query.ts, review-query.ts, rbac-routes.ts), and how the
 * chosen report and its parameters live in the page's URL, /ui/reports?kind=usage&since=7d,
 * so that a report can be linked.
 */
import type { ReportKind } from "./report-types.ts";

export interface ParamSpec {
  /** The query parameter, as the API names it (and names it in a refusal's causes). */
  name: string;
  label: string;
  /** window: a duration back from now; cluster: one of the broker's clusters; text: free. */
  kind: "window" | "cluster" | "text";
  hint: string;
  /** Only admins may give it (others get reports about themselves). */
  adminOnly?: boolean;
  /** The API refuses the report without it. */
  required?: boolean;
  /** What the API takes when it is left out. */
  default?: string;
}

export interface ReportSpec {
  kind: ReportKind;
  label: string;
  /** The API answers admins only (403 for anyone else), so no one else is offered it. */
  adminOnly: boolean;
  about: string;
  params: ParamSpec[];
}

const WINDOW_HINT = "A duration back from now, such as 24h or 30d.";
const sinceParam = (fallback: string): ParamSpec => ({
  name: "since",
  label: "Since",
  kind: "window",
  hint: `${WINDOW_HINT} Default ${fallback}.`,
  default: fallback,
});
const cluster: ParamSpec = {
  name: "cluster",
  label: "Cluster",
  kind: "cluster",
  hint: "Leave at every cluster, or pick one.",
};
const user: ParamSpec = {
  name: "user",
  label: "User",
  kind: "text",
  hint: "Someone's name as the broker knows it (their email); empty for everyone.",
  adminOnly: true,
};

export const REPORTS: readonly ReportSpec[] = [
  {
    kind: "usage",
    label: "Usage",
    adminOnly: false,
    about: "Each permission used through the gateway, with its counts; with a role, what the role grants.",
    params: [
      sinceParam("30d"),
      cluster,
      { name: "role", label: "Role", kind: "text", hint: "A role of the broker's config, such as edit." },
      user,
      { name: "grant", label: "Grant", kind: "text", hint: "A grant's id." },
      { name: "ciRule", label: "CI rule", kind: "text", hint: "A CI rule's name." },
    ],
  },
  {
    kind: "unused",
    label: "Unused access",
    adminOnly: false,
    about: "Roles, standing rules, CI rules and permissions nobody used in the window.",
    params: [sinceParam("30d"), cluster],
  },
  {
    kind: "access",
    label: "Access",
    adminOnly: false,
    about: "Who accessed what: one row per person, cluster, namespace and resource.",
    params: [
      sinceParam("24h"),
      cluster,
      { name: "namespace", label: "Namespace", kind: "text", hint: "A namespace name." },
      {
        name: "resource",
        label: "Resource",
        kind: "text",
        hint: "As the API names it, group-qualified outside the core group: secrets, deployments.apps.",
      },
      user,
    ],
  },
  {
    kind: "review",
    label: "Access review",
    adminOnly: true,
    about: "Standing access and its use, old open grants, privileged and break-glass grants.",
    params: [
      sinceParam("90d"),
      {
        name: "unusedFor",
        label: "Unused for",
        kind: "window",
        hint: "Standing access unused this long is flagged; at most the window. Default 30d.",
        default: "30d",
      },
      {
        name: "olderThan",
        label: "Older than",
        kind: "window",
        hint: "Open grants started this long ago or more are listed. Default 7d.",
        default: "7d",
      },
      cluster,
    ],
  },
  {
    kind: "rbac",
    label: "RBAC risks",
    adminOnly: true,
    about: "A fresh scan of one cluster's roles and bindings for standing risks.",
    params: [{ ...cluster, hint: "The cluster to scan.", required: true }],
  },
];

/** The reports this person may see, in the picker's order. */
export function reportsFor(admin: boolean): ReportSpec[] {
  return REPORTS.filter((spec) => admin || !spec.adminOnly);
}

/** A report's parameters this person may give. */
export function paramsFor(spec: ReportSpec, admin: boolean): ParamSpec[] {
  return spec.params.filter((param) => admin || !param.adminOnly);
}

export type ReportParams = Record<string, string>;

export interface ReportLocation {
  spec: ReportSpec;
  params: ReportParams;
}

/**
 * The report a URL asks for and its parameters: usage when it names none, or one this person
 * is not offered; parameters the report does not take, or this person may not give, are
 * dropped, as are empty ones.
 */
export function parseReportLocation(search: string, admin: boolean): ReportLocation {
  const query = new URLSearchParams(search);
  const offered = reportsFor(admin);
  const spec = offered.find((s) => s.kind === query.get("kind")) ?? offered[0]!;
  const params: ReportParams = {};
  for (const param of paramsFor(spec, admin)) {
    const value = query.get(param.name)?.trim();
    if (value) params[param.name] = value;
  }
  return { spec, params };
}

/** The page's query for a report: `kind=` first, then the parameters given, in the spec's order. */
export function reportSearch(spec: ReportSpec, params: ReportParams): string {
  const query = new URLSearchParams({ kind: spec.kind });
  for (const param of spec.params) {
    const value = params[param.name]?.trim();
    if (value) query.set(param.name, value);
  }
  return query.toString();
}

/** The API's path for the report: the same parameters, without `kind`. */
export function reportApiPath(spec: ReportSpec, params: ReportParams): string {
  const query = new URLSearchParams(reportSearch(spec, params));
  query.delete("kind");
  const text = query.toString();
  return `/v1/reports/${spec.kind}${text ? `?${text}` : ""}`;
}

/** Required parameters not given: the report is not asked for until they are. */
export function missingParams(spec: ReportSpec, params: ReportParams): ParamSpec[] {
  return spec.params.filter((param) => param.required && !params[param.name]);
}
