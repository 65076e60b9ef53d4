import { useRef, useState } from "preact/hooks";
import { type AuditSearch, queryString, shownInList, without } from "../audit-query.ts";
import type { AuditPage, AuditRecord } from "../audit-types.ts";
import { AuditDownload } from "../components/audit-download.tsx";
import { AuditFilters, DEFAULT_PAGE_SIZE } from "../components/audit-filters.tsx";
import { AuditTable } from "../components/audit-table.tsx";
import { PageTitle } from "../components/page-title.tsx";
import { RecordDetails } from "../components/record-details.tsx";
import { useSession } from "../session-context.ts";
import { useLinkedSearch } from "../use-linked-search.ts";

/**
 * /ui/audit: past records by filter and time range, newest first, a page at a time; the
 * search is the page's URL (linkable, kept on reload), and its pages follow the API's cursor
 * (`after`). The records it matches download as JSON lines.
 */
export function AuditSearchPage() {
  const { api, session } = useSession();
  const linked = useLinkedSearch("/ui/audit", (search) =>
    api.get<AuditPage>(
      `/v1/audit?${queryString(search, { order: "desc", limit: search.limit ?? DEFAULT_PAGE_SIZE })}`,
    ),
  );
  const [details, setDetails] = useState<AuditRecord | undefined>(undefined);
  // The page before each page reached by "Next page", for "Newer page" ("" is the first page).
  // Not kept over a reload: then "First page" still leads back.
  const newer = useRef(new Map<string, string>());
  const { shown } = linked;

  const next = () => {
    if (!shown?.data.nextCursor) return;
    newer.current.set(shown.data.nextCursor, shown.search.after ?? "");
    void linked.submit({ ...shown.search, after: shown.data.nextCursor });
  };
  const back = (after: string | undefined) =>
    shown && linked.submit(after ? { ...shown.search, after } : without(shown.search, "after"));
  const previous = shown?.search.after ? newer.current.get(shown.search.after) : undefined;

  return (
    <>
      <PageTitle title="Audit search" />
      <p class="hint">
        {session.admin ? "Everyone's records." : "Your own records."} Filters match exactly; leave one empty
        for any.
      </p>
      <AuditFilters
        id="audit"
        value={shown?.search ?? linked.asked}
        showUser={session.admin}
        range
        error={linked.error}
        busy={linked.busy}
        submitLabel="Search"
        onSubmit={(search: AuditSearch) => linked.submit(without(search, "after"))}
      />
      {shown ? (
        <section aria-labelledby="results-title">
          <h2 id="results-title">Results</h2>
          <Results
            page={shown.data}
            phase={shown.search.phase}
            first={!shown.search.after}
            onDetails={setDetails}
          />
          <nav class="pager" aria-label="Result pages">
            <button
              type="button"
              class="secondary"
              disabled={!shown.search.after || linked.busy}
              onClick={() => back(undefined)}
            >
              First page
            </button>
            <button
              type="button"
              class="secondary"
              disabled={previous === undefined || linked.busy}
              onClick={() => back(previous)}
            >
              Newer page
            </button>
            <button type="button" disabled={!shown.data.nextCursor || linked.busy} onClick={next}>
              Next page
            </button>
          </nav>
          <AuditDownload search={shown.search} />
        </section>
      ) : linked.error ? null : (
        <p class="hint">Loading…</p>
      )}
      <RecordDetails record={details} onClose={() => setDetails(undefined)} />
    </>
  );
}

/** One page of results; a request's start entry is left out unless a phase was asked for. */
function Results(props: {
  page: AuditPage;
  phase: string | undefined;
  first: boolean;
  onDetails: (record: AuditRecord) => void;
}) {
  const records = props.page.items.filter((record) => shownInList(record, props.phase));
  const hidden = props.page.items.length - records.length;
  const more = props.page.nextCursor !== null;
  return (
    <>
      <p class="hint" role="status" data-testid="results-summary">
        {records.length === 0
          ? more
            ? "No matching records in this stretch of the log; older ones may match: see the next page."
            : `No records match${props.first ? "" : " further back"}.`
          : `${records.length} record${records.length === 1 ? "" : "s"} on this page, newest first.`}
        {hidden > 0
          ? ` ${hidden} start entr${hidden === 1 ? "y" : "ies"} of requests left out: choose a phase to see them.`
          : ""}
      </p>
      {records.length > 0 ? (
        <AuditTable label="Audit records" records={records} dates onDetails={props.onDetails} />
      ) : null}
    </>
  );
}
