import "./alerts-reports.css";
import { useMemo } from "preact/hooks";
import { Link } from "../components/link.tsx";
import { PageTitle } from "../components/page-title.tsx";
import { ReportForm } from "../components/report-form.tsx";
import { ReportTable } from "../components/report-table.tsx";
import { type FormErrors, formErrors } from "../field-errors.ts";
import { reportLayout } from "../report-sections.ts";
import {
  missingParams,
  paramsFor,
  parseReportLocation,
  type ReportParams,
  type ReportSpec,
  reportApiPath,
  reportSearch,
  reportsFor,
} from "../report-specs.ts";
import type { AnyReport } from "../report-types.ts";
import { useSession } from "../session-context.ts";
import { useClusters } from "../use-clusters.ts";
import { navigate, useLocation } from "../use-location.ts";
import { useResource } from "../use-resource.ts";

const NO_ERRORS: FormErrors = { fields: {}, general: [] };

/** A report and the API path it came from. */
interface Answer {
  path: string;
  data: AnyReport;
}

/**
 * /ui/reports?kind=<report>&<its parameters>: the reports this person may see (admins also the
 * access review and the RBAC scan), each with its parameters as a form; the report and its
 * parameters are the URL, so a report can be linked and the back button goes to the last one.
 */
export function ReportsPage() {
  const { api, session } = useSession();
  const { search } = useLocation();
  const { spec, params } = parseReportLocation(search, session.admin);
  const clusters = useClusters();
  const missing = missingParams(spec, params);
  const path = reportApiPath(spec, params);
  // Nothing is asked until the report's required parameters are given. The answer keeps the
  // path it answers, so that the last report is never laid out as the next one while it loads.
  const report = useResource<Answer | null>(
    () =>
      missing.length > 0 ? Promise.resolve(null) : api.get<AnyReport>(path).then((data) => ({ path, data })),
    path,
  );
  const answer = report.data?.path === path ? report.data : undefined;
  const fields = paramsFor(spec, session.admin);
  const errors = report.error
    ? formErrors(
        report.error,
        fields.map((f) => f.name),
      )
    : NO_ERRORS;

  const show = (values: ReportParams) => {
    const target = `/ui/reports?${reportSearch(spec, values)}`;
    // The same report again is asked for again (its data may have changed since).
    if (target === location.pathname + location.search) void report.reload();
    else navigate(target);
  };

  return (
    <>
      <PageTitle title="Reports" />
      <nav aria-label="Reports">
        <ul class="report-tabs">
          {reportsFor(session.admin).map((offered) => (
            <li key={offered.kind}>
              <Link
                href={`/ui/reports?kind=${offered.kind}`}
                aria-current={offered.kind === spec.kind ? "page" : undefined}
              >
                {offered.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <section aria-labelledby="report-title">
        <h2 id="report-title">{spec.label}</h2>
        <p class="hint">{spec.about}</p>
        <ReportForm
          key={search}
          kind={spec.kind}
          params={fields}
          values={params}
          clusters={clusters}
          errors={errors}
          busy={!answer && !report.error && missing.length === 0}
          onSubmit={show}
        />
      </section>
      <section aria-labelledby="result-title" class="report-result">
        <h2 id="result-title">Result</h2>
        {missing.length > 0 ? (
          <p>Choose the {missing.map((m) => m.label.toLowerCase()).join(" and ")}, then show the report.</p>
        ) : report.error ? (
          <p class="hint">No report: see the message above.</p>
        ) : answer ? (
          <ReportResult spec={spec} report={answer.data} />
        ) : (
          <p class="hint">Loading…</p>
        )}
      </section>
    </>
  );
}

function ReportResult(props: { spec: ReportSpec; report: AnyReport }) {
  // Relative times ("3h ago") as of when the report arrived: a report is a snapshot.
  const now = useMemo(() => Date.now(), [props.report]);
  const layout = reportLayout(props.spec.kind, props.report, now);
  return (
    <div data-report={props.spec.kind}>
      <ul class="report-summary">
        {layout.summary.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      {layout.sections.map((section, i) => (
        <ReportTable key={section.title} section={section} id={`report-section-${i}`} />
      ))}
    </div>
  );
}
