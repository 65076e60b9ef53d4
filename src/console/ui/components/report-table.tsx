import type { ReportSection } from "../report-sections.ts";
import { SeverityBadge } from "./severity-badge.tsx";
import { TableScroll } from "./table-scroll.tsx";

/** One section of a report: its title, then its rows as a table (or what it says when empty). */
export function ReportTable(props: { section: ReportSection; id: string }) {
  const { section, id } = props;
  return (
    <section class="report-section" aria-labelledby={id}>
      <h3 id={id}>
        {section.title} <span class="count">({section.rows.length})</span>
      </h3>
      {section.rows.length === 0 ? (
        <p class="hint">{section.empty}</p>
      ) : (
        <TableScroll label={section.title}>
          <table class="data">
            <thead>
              <tr>
                {section.headers.map((header) => (
                  <th key={header} scope="col">
                    {header}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {section.rows.map((row) => (
                // A row's cells together are what tells it apart (a permission, a finding).
                <tr key={row.join("\u0000")}>
                  {row.map((cell, c) => (
                    <td key={section.headers[c]}>
                      {c === section.severityColumn ? <SeverityBadge severity={cell} /> : cell}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
