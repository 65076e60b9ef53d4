/**
 * A report's result as the console lays it out: summary lines, then titled tables whose columns
 * mirror the CLI's tables (src/cli/output/usage-view.ts, rbac-view.ts, review-view.ts), so the
 * console and `kubectl broker report` say the same things in the same words. Pure: the page
 * renders what this returns.
 */
import { formatDuration } from "../../shared/duration.ts";
import type {
  AccessReport,
  AnyReport,
  GrantedPermission,
  RbacReport,
  ReportKind,
  ReviewGrant,
  ReviewReport,
  UnusedReport,
  UsageReport,
} from "./report-types.ts";
import { formatRelative } from "./time.ts";

export interface ReportSection {
  title: string;
  headers: string[];
  rows: string[][];
  /** Said instead of an empty table. */
  empty: string;
  /** The column whose value is a severity, shown as a badge. */
  severityColumn?: number;
}

export interface ReportLayout {
  summary: string[];
  sections: ReportSection[];
}

/** "deployments.apps/scale": a resource as kubectl names it. */
function resourceName(p: { apiGroup: string; resource: string; subresource?: string }): string {
  const group = p.apiGroup === "*" ? ".*" : p.apiGroup ? `.${p.apiGroup}` : "";
  return `${p.resource}${group}${p.subresource ? `/${p.subresource}` : ""}`;
}

const names = (value: string[] | "many") => (value === "many" ? "(many)" : value.join(", "));
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function windowLine(window: { from: string; to: string; since: number }, now: number): string {
  return `Window: the last ${formatDuration(window.since)} (from ${ago(window.from, now)}).`;
}

function ago(iso: string | null, now: number): string {
  return iso ? formatRelative(Date.parse(iso), now) : "never";
}

function skippedLines(skipped: { cluster: string; reason: string }[]): string[] {
  return skipped.map((s) => `Cluster ${s.cluster} skipped: ${s.reason}`);
}

function usageLayout(report: UsageReport, now: number): ReportLayout {
  const { items } = report;
  const sections: ReportSection[] = [
    {
      title: "Permissions used",
      headers: [
        "cluster",
        "namespace",
        "verb",
        "resource",
        "names",
        "count",
        "denied",
        "first seen",
        "last seen",
        "users",
        "roles",
      ],
      rows: items.map((i) => [
        i.cluster,
        i.namespace,
        i.verb,
        resourceName(i),
        names(i.names),
        String(i.count),
        String(i.denied),
        ago(i.firstSeen, now),
        ago(i.lastSeen, now),
        i.users.join(", "),
        i.roles.join(", "),
      ]),
      empty: "Nothing was used through the gateway in this window.",
    },
  ];
  if (report.granted) {
    sections.push({
      title: `Granted by role ${report.filter.role ?? ""} (its effective rules), and how often used`,
      headers: ["cluster", "role", "verb", "resource", "used"],
      rows: report.granted.permissions.map((g) => [
        g.cluster,
        g.role,
        g.verb,
        resourceName(g),
        String(g.used),
      ]),
      empty: "The role grants nothing that could be read.",
    });
  }
  return {
    summary: [
      `${plural(items.length, "permission")} used, ${plural(sum(items.map((i) => i.count)), "request")}, ${sum(items.map((i) => i.denied))} denied.`,
      windowLine(report.window, now),
      ...skippedLines(report.granted?.skipped ?? []),
    ],
    sections,
  };
}

function accessLayout(report: AccessReport, now: number): ReportLayout {
  const { items } = report;
  return {
    summary: [
      `${plural(new Set(items.map((i) => i.user)).size, "person", "people")}, ${plural(sum(items.map((i) => i.count)), "request")}, ${sum(items.map((i) => i.denied))} denied.`,
      windowLine(report.window, now),
    ],
    sections: [
      {
        title: "Who accessed what",
        headers: [
          "user",
          "cluster",
          "namespace",
          "resource",
          "verbs",
          "count",
          "denied",
          "exec",
          "first seen",
          "last seen",
        ],
        rows: items.map((i) => [
          i.user,
          i.cluster,
          i.namespace,
          resourceName(i),
          Object.entries(i.verbs)
            .map(([verb, count]) => `${verb} (${count})`)
            .join(", "),
          String(i.count),
          String(i.denied),
          String(i.execSessions),
          ago(i.firstSeen, now),
          ago(i.lastSeen, now),
        ]),
        empty: "Nobody accessed anything matching this in the window.",
      },
    ],
  };
}

/** One row per role and resource with its unused verbs, as the CLI folds them. */
function unusedByResource(permissions: GrantedPermission[]): string[][] {
  const rows = new Map<string, string[]>();
  for (const p of permissions) {
    const resource = resourceName(p);
    const key = JSON.stringify([p.cluster, p.role, resource]);
    const row = rows.get(key) ?? [p.cluster, p.role, resource, ""];
    row[3] = row[3] ? `${row[3]}, ${p.verb}` : p.verb;
    rows.set(key, row);
  }
  return [...rows.values()];
}

function unusedLayout(report: UnusedReport, now: number): ReportLayout {
  return {
    summary: [
      `${plural(report.roles.length, "role")}, ${plural(report.standingRules.length, "standing rule")}, ${plural(report.ciRules.length, "CI rule")} and ${plural(report.people.length, "person", "people")} with unused access.`,
      windowLine(report.window, now),
      ...skippedLines(report.skipped),
    ],
    sections: [
      {
        title: "Roles nobody used",
        headers: ["role", "binds"],
        rows: report.roles.map((r) => [r.role, r.clusterRole ?? r.namespacedRole ?? ""]),
        empty: "Every role was used.",
      },
      {
        title: "Standing rules nobody used (policies.standing[N])",
        headers: ["rule", "subjects", "clusters", "roles", "namespaces"],
        rows: report.standingRules.map((r) => [
          String(r.index),
          [...r.subjects.users, ...r.subjects.groups.map((g) => `group:${g}`)].join(", "),
          r.clusters.join(", "),
          r.roles.join(", "),
          r.namespaces.join(", "),
        ]),
        empty: "Every standing rule was used.",
      },
      {
        title: "CI rules that never matched",
        headers: ["name", "cluster", "role"],
        rows: report.ciRules.map((r) => [r.name, r.cluster, r.role]),
        empty: "Every CI rule matched.",
      },
      {
        title: "People whose standing access went unused",
        headers: ["user", "rule", "roles", "clusters"],
        rows: report.people.map((p) => [p.user, String(p.rule), p.roles.join(", "), p.clusters.join(", ")]),
        empty: "No one.",
      },
      {
        title: "Permissions of used roles that nobody used",
        headers: ["cluster", "role", "resource", "verbs"],
        rows: unusedByResource(report.permissions),
        empty: "None.",
      },
    ],
  };
}

function reviewLayout(report: ReviewReport, now: number): ReportLayout {
  const grantRow = (g: ReviewGrant) => [
    g.id,
    g.user,
    g.cluster,
    g.role,
    g.origin,
    g.namespaces.join(", ") || "(cluster-wide)",
    ago(g.startedAt, now),
  ];
  const grantHeaders = ["grant", "user", "cluster", "role", "origin", "namespaces", "started"];
  const { summary } = report;
  return {
    summary: [
      `Access review of ${report.cluster ?? "every cluster"}: ${summary.unused} of ${summary.principals} standing principals unused, ${summary.openGrants} old open grants, ${summary.privilegedGrants} privileged grants, ${summary.breakGlassGrants} break-glass grants.`,
      `${windowLine(report.window, now)} Unused means none in the last ${formatDuration(report.unusedFor)}; old means open ${formatDuration(report.olderThan)} or more.`,
      report.coverage,
    ],
    sections: [
      {
        title: "Standing access (policies.standing[N]), per principal",
        headers: ["rule", "user", "roles", "clusters", "last used", "unused"],
        rows: report.standingRules.flatMap((r) =>
          r.principals.map((p) => [
            String(r.index),
            p.user,
            r.roles.join(", "),
            r.clusters.join(", "),
            ago(p.lastUsed, now),
            p.unused ? "yes" : "no",
          ]),
        ),
        empty: "No standing rule covers anyone the broker knows.",
      },
      {
        title: "Open grants older than the threshold",
        headers: grantHeaders,
        rows: report.openGrants.map(grantRow),
        empty: "None.",
      },
      {
        title: "Privileged grants in the window",
        headers: [...grantHeaders, "why"],
        rows: report.privilegedGrants.map((g) => [...grantRow(g), g.why]),
        empty: "None.",
      },
      {
        title: "Break-glass grants in the window (taken with no approver)",
        headers: grantHeaders,
        rows: (report.breakGlassGrants ?? []).map(grantRow),
        empty: "None.",
      },
    ],
  };
}

function rbacLayout(report: RbacReport, now: number): ReportLayout {
  const { critical, high, medium, drift } = report.summary;
  return {
    summary: [
      `${critical} critical, ${high} high, ${medium} medium, ${drift} drift in cluster ${report.cluster} (scanned ${ago(report.scannedAt, now)}).`,
      ...report.skipped.map(({ check, reason }) => `Skipped ${check}: ${reason}`),
      ...(report.excluded.length > 0
        ? [
            `Left out ${plural(report.excluded.length, "default binding")} of a fresh cluster and kube-broker's own.`,
          ]
        : []),
    ],
    sections: [
      {
        title: "Findings",
        headers: ["severity", "check", "subject", "scope", "what", "via binding", "fix"],
        rows: report.findings.map((f) => [f.severity, f.check, f.subject, f.scope, f.what, f.via, f.fix]),
        empty: `No findings in cluster "${report.cluster}".`,
        severityColumn: 0,
      },
    ],
  };
}

/** The layout of a report of `kind` as the API returned it. */
export function reportLayout(kind: ReportKind, report: AnyReport, now: number): ReportLayout {
  switch (kind) {
    case "usage":
      return usageLayout(report as UsageReport, now);
    case "access":
      return accessLayout(report as AccessReport, now);
    case "unused":
      return unusedLayout(report as UnusedReport, now);
    case "review":
      return reviewLayout(report as ReviewReport, now);
    case "rbac":
      return rbacLayout(report as RbacReport, now);
  }
}
