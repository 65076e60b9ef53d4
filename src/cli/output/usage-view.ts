import type { AccessReport, UnusedReport, UsageReport } from "../../reports/index.ts";
import type { Printable } from "./output-format.ts";
import { relativeTime, table } from "./table.ts";

/** The usage reports as the broker's API shows them (only the server's types are imported). */
export type { AccessReport, UnusedReport, UsageReport };

/** "deployments.apps/scale": a resource as kubectl names it, group-qualified outside the core group. */
function resourceName(p: { apiGroup: string; resource: string; subresource: string }): string {
  return `${p.resource}${p.apiGroup ? `.${p.apiGroup}` : ""}${p.subresource ? `/${p.subresource}` : ""}`;
}

function names(value: string[] | "many"): string {
  return value === "many" ? "(many)" : value.join(",");
}

/** `report usage`: one row per permission used; with --role, what the role grants and its use. */
export function usageReportView(report: UsageReport, now: number): Printable {
  return {
    value: report,
    names: report.items.map((i) => `permission/${i.verb}:${resourceName(i)}`),
    text: (wide) => {
      const headers = [
        "cluster",
        "namespace",
        "verb",
        "resource",
        "names",
        "count",
        "denied",
        "first seen",
        "last seen",
      ];
      const used = table(
        wide ? [...headers, "users", "roles"] : headers,
        report.items.map((i) => {
          const row = [
            i.cluster,
            i.namespace,
            i.verb,
            resourceName(i),
            names(i.names),
            String(i.count),
            String(i.denied),
          ];
          row.push(relativeTime(i.firstSeen, now), relativeTime(i.lastSeen, now));
          return wide ? [...row, i.users.join(","), i.roles.join(",")] : row;
        }),
      );
      if (!report.granted) return used;
      const granted = table(
        ["cluster", "role", "verb", "resource", "used"],
        report.granted.permissions.map((g) => [
          g.cluster,
          g.role,
          g.verb,
          `${g.resource}${g.apiGroup && g.apiGroup !== "*" ? `.${g.apiGroup}` : g.apiGroup === "*" ? ".*" : ""}`,
          String(g.used),
        ]),
      );
      const skipped = report.granted.skipped
        .map((s) => `(cluster ${s.cluster} skipped: ${s.reason})\n`)
        .join("");
      return `${used}\nGranted by role ${report.filter.role} (its effective rules), and how often used:\n${granted}${skipped}`;
    },
    empty: "Nothing was used through the gateway in this window.",
  };
}

/** `report access`: who accessed what, one row per person, place and resource. */
export function accessReportView(report: AccessReport, now: number): Printable {
  return {
    value: report,
    names: report.items.map((i) => `access/${i.user}:${resourceName(i)}`),
    text: () =>
      table(
        [
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
        report.items.map((i) => [
          i.user,
          i.cluster,
          i.namespace,
          resourceName(i),
          Object.entries(i.verbs)
            .map(([verb, count]) => `${verb}(${count})`)
            .join(","),
          String(i.count),
          String(i.denied),
          String(i.execSessions),
          relativeTime(i.firstSeen, now),
          relativeTime(i.lastSeen, now),
        ]),
      ),
    empty: "Nobody accessed anything matching this in the window.",
  };
}

/** `report unused`: a section per kind of unused access, each a small table. */
export function unusedReportView(report: UnusedReport): Printable {
  const sections: [string, string[], string[][]][] = [
    [
      "Roles nobody used",
      ["role", "binds"],
      report.roles.map((r) => [r.role, r.clusterRole ?? r.namespacedRole ?? ""]),
    ],
    [
      "Standing rules nobody used (policies.standing[N])",
      ["rule", "subjects", "clusters", "roles", "namespaces"],
      report.standingRules.map((r) => [
        String(r.index),
        [...r.subjects.users, ...r.subjects.groups.map((g) => `group:${g}`)].join(","),
        r.clusters.join(","),
        r.roles.join(","),
        r.namespaces.join(","),
      ]),
    ],
    [
      "CI rules that never matched",
      ["name", "cluster", "role"],
      report.ciRules.map((r) => [r.name, r.cluster, r.role]),
    ],
    [
      "People whose standing access went unused",
      ["user", "rule", "roles", "clusters"],
      report.people.map((p) => [p.user, String(p.rule), p.roles.join(","), p.clusters.join(",")]),
    ],
    [
      "Permissions of used roles that nobody used",
      ["cluster", "role", "resource", "verbs"],
      unusedByResource(report.permissions),
    ],
  ];
  const shown = sections.filter(([, , rows]) => rows.length > 0);
  return {
    value: report,
    names: [
      ...report.roles.map((r) => `role/${r.role}`),
      ...report.standingRules.map((r) => `standing-rule/${r.index}`),
      ...report.ciRules.map((r) => `ci-rule/${r.name}`),
      ...report.people.map((p) => `user/${p.user}`),
    ],
    text: () =>
      shown.map(([title, headers, rows]) => `${title}:\n${table(headers, rows)}`).join("\n") +
      report.skipped.map((s) => `(cluster ${s.cluster} skipped: ${s.reason})\n`).join(""),
    // Only when nothing at all is shown: -o name lists roles, rules and people, not permissions.
    ...(shown.length === 0 ? { empty: "Everything granted was used in this window." } : {}),
  };
}

/**
 * One row per role and resource with its unused verbs: a role such as edit leaves hundreds of
 * (verb, resource) pairs unused, which as one row each buries the resources in verbs.
 */
function unusedByResource(permissions: UnusedReport["permissions"]): string[][] {
  const rows = new Map<string, string[]>();
  for (const p of permissions) {
    const resource = `${p.resource}${p.apiGroup ? `.${p.apiGroup}` : ""}`;
    const key = JSON.stringify([p.cluster, p.role, resource]);
    const row = rows.get(key) ?? [p.cluster, p.role, resource, ""];
    row[3] = row[3] ? `${row[3]},${p.verb}` : p.verb;
    rows.set(key, row);
  }
  return [...rows.values()];
}
