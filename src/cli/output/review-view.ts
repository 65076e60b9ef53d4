import type { ReviewReport } from "../../reports/index.ts";
import type { Printable } from "./output-format.ts";
import { relativeTime, table } from "./table.ts";

export type { ReviewReport };

/** `report review`: what it covers, then a table per section (empty sections are left out). */
export function reviewReportView(report: ReviewReport, now: number): Printable {
  const ago = (iso: string | null) => (iso ? relativeTime(iso, now) : "never");
  const grantRow = (g: ReviewReport["breakGlassGrants"][number]) => [
    g.id,
    g.user,
    g.cluster,
    g.role,
    g.origin,
    g.namespaces.join(",") || "(cluster-wide)",
    ago(g.startedAt),
  ];
  // A broker older than break-glass sends no such section.
  const breakGlass = report.breakGlassGrants ?? [];
  const sections: [string, string[], string[][]][] = [
    [
      "Standing access (policies.standing[N]), per principal",
      ["rule", "user", "roles", "clusters", "last used", "unused"],
      report.standingRules.flatMap((r) =>
        r.principals.map((p) => [
          String(r.index),
          p.user,
          r.roles.join(","),
          r.clusters.join(","),
          ago(p.lastUsed),
          p.unused ? "yes" : "no",
        ]),
      ),
    ],
    [
      "Open grants older than the threshold",
      ["grant", "user", "cluster", "role", "origin", "namespaces", "started"],
      report.openGrants.map(grantRow),
    ],
    [
      "Privileged grants in the window",
      ["grant", "user", "cluster", "role", "origin", "namespaces", "started", "why"],
      report.privilegedGrants.map((g) => [...grantRow(g), g.why]),
    ],
    [
      "BREAK-GLASS grants in the window (taken with no approver)",
      ["grant", "user", "cluster", "role", "origin", "namespaces", "started"],
      breakGlass.map(grantRow),
    ],
  ];
  const shown = sections.filter(([, , rows]) => rows.length > 0);
  const header =
    `Access review of ${report.cluster ?? "every cluster"}, ${report.window.from} to ${report.window.to}: ` +
    `${report.summary.unused} of ${report.summary.principals} standing principals unused, ` +
    `${report.summary.openGrants} old open grants, ${report.summary.privilegedGrants} privileged grants` +
    `${breakGlass.length > 0 ? `, ${breakGlass.length} BREAK-GLASS grants` : ""}\n`;
  return {
    value: report,
    names: [
      ...report.standingRules.flatMap((r) =>
        r.principals.filter((p) => p.unused).map((p) => `user/${p.user}`),
      ),
      ...report.openGrants.map((g) => `grant/${g.id}`),
      ...report.privilegedGrants.map((g) => `grant/${g.id}`),
      ...breakGlass.map((g) => `grant/${g.id}`),
    ],
    text: () =>
      header + shown.map(([title, headers, rows]) => `\n${title}:\n${table(headers, rows)}`).join(""),
    // Said only when every section is empty: -o name lists only what needs action (unused
    // principals, grants), which is not the same as nothing to show.
    ...(shown.length === 0
      ? { empty: "No standing rules, old grants, privileged or break-glass grants to review." }
      : {}),
  };
}
