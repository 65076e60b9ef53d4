import type { RbacReport } from "../../reports/index.ts";
import type { Printable } from "./output-format.ts";
import { table } from "./table.ts";

/** The RBAC report as the broker's API shows it (the server's own type: only the type is imported). */
export type { RbacReport };

/** `report rbac`: one row per finding, most severe first, as the broker sorted them. */
export function rbacReportView(report: RbacReport): Printable {
  return {
    value: report,
    names: report.findings.map((f) => `finding/${f.check}`),
    text: () =>
      table(
        ["severity", "subject", "scope", "what", "via binding", "fix"],
        report.findings.map((f) => [f.severity, f.subject, f.scope, f.what, f.via, f.fix]),
      ),
    empty: `No findings in cluster "${report.cluster}".`,
  };
}

/** What people should know beside the table: the counts, checks skipped, bindings left out. */
export function rbacReportNotes(report: RbacReport): string[] {
  const { critical, high, medium, drift } = report.summary;
  const notes = [`${critical} critical, ${high} high, ${medium} medium, ${drift} drift`];
  for (const { check, reason } of report.skipped) notes.push(`skipped ${check}: ${reason}`);
  if (report.excluded.length > 0)
    notes.push(
      `left out ${report.excluded.length} default binding(s) of a fresh cluster and kube-broker's own (-o json lists them; docs/reports.md)`,
    );
  return notes;
}
