import { useEffect, useRef, useState } from "preact/hooks";
import { ACTIVITY_MAX, mergeRecords } from "../activity-list.ts";
import { type AuditSearch, queryString } from "../audit-query.ts";
import { type AuditPage, type AuditRecord, FILTER_FIELDS } from "../audit-types.ts";
import { ErrorMessage } from "../components/alert.tsx";
import { AuditFilters } from "../components/audit-filters.tsx";
import { AuditTable } from "../components/audit-table.tsx";
import { PageTitle } from "../components/page-title.tsx";
import { RecordDetails } from "../components/record-details.tsx";
import { useSession } from "../session-context.ts";
import { type StreamState, useEventSource } from "../use-event-source.ts";
import { useLinkedSearch } from "../use-linked-search.ts";

/** The recent records shown before the live ones, so the page does not open empty. */
const BACKLOG = 100;
/** Records arriving together are shown together: one render per beat, not one per record. */
const FLUSH_MS = 200;

/** The filters of a URL; Activity takes no time range or paging. */
function filtersOf(search: AuditSearch): AuditSearch {
  return Object.fromEntries(FILTER_FIELDS.flatMap((name) => (search[name] ? [[name, search[name]]] : [])));
}

/**
 * /ui/activity: the audit log as it is written (everyone's for admins, one's own for anyone
 * else: the API scopes it), newest first, the last ACTIVITY_MAX records kept. Applying filters
 * loads the latest matching records, which also checks the filters (a refusal is shown beside
 * its field), then follows the stream from a minute back, so nothing written in between is
 * missed; what arrives twice lands on its own row. Paused, new records are counted and held.
 */
export function ActivityPage() {
  const { api, session } = useSession();
  const linked = useLinkedSearch("/ui/activity", (search) =>
    api.get<AuditPage>(
      `/v1/audit?${queryString(filtersOf(search), { order: "desc", limit: String(BACKLOG) })}`,
    ),
  );
  const [list, setList] = useState<AuditRecord[]>([]);
  const [held, setHeld] = useState<AuditRecord[]>([]);
  const [paused, setPaused] = useState(false);
  const [details, setDetails] = useState<AuditRecord | undefined>(undefined);
  const queue = useRef<AuditRecord[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  const shown = linked.shown;
  const filters = shown ? filtersOf(shown.search) : undefined;
  const applied = Object.keys(filters ?? filtersOf(linked.asked)).length;
  const streamPath = (extra: Record<string, string>) =>
    `/v1/audit/stream?${queryString(filters ?? {}, extra)}`;

  // A new search starts the list afresh from its backlog; records queued for the old one go.
  useEffect(() => {
    if (!shown) return;
    clearTimeout(timer.current);
    timer.current = undefined;
    queue.current = [];
    setList(mergeRecords([], shown.data.items));
    setHeld([]);
  }, [shown]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const flush = () => {
    timer.current = undefined;
    const batch = queue.current;
    queue.current = [];
    if (pausedRef.current) setHeld((old) => mergeRecords(old, batch));
    else setList((old) => mergeRecords(old, batch));
  };
  const stream = useEventSource({
    url: filters ? streamPath({ since: "1m" }) : undefined,
    onEvent: (_id, data) => {
      try {
        queue.current.push(JSON.parse(data) as AuditRecord);
      } catch {
        return; // not a record: nothing to show
      }
      timer.current ??= setTimeout(flush, FLUSH_MS);
    },
    diagnose: () => api.get(`/v1/audit?${queryString(filters ?? {}, { limit: "1" })}`).then(() => undefined),
    resumeUrl: (lastId) => streamPath({ after: lastId }),
  });

  const togglePause = () => {
    if (paused) {
      setList((old) => mergeRecords(old, held));
      setHeld([]);
    }
    setPaused(!paused);
  };

  return (
    <>
      <PageTitle title="Activity" />
      <p class="hint">
        {session.admin ? "Everyone's requests and events" : "Your requests and events"} as the broker records
        them, newest first; the last {ACTIVITY_MAX} stay on the page. Older ones are in Audit search.
      </p>
      <details class="filter-box" open={applied > 0}>
        <summary>Filters{applied > 0 ? ` (${applied} applied)` : ""}</summary>
        <AuditFilters
          id="activity"
          value={shown?.search ?? linked.asked}
          showUser={session.admin}
          range={false}
          error={linked.error}
          busy={linked.busy}
          submitLabel="Apply filters"
          onSubmit={(search) => linked.submit(filtersOf(search))}
        />
      </details>
      <div class="activity-bar">
        <StreamStatus state={shown ? stream.state : "connecting"} />
        <button type="button" class="secondary" onClick={togglePause}>
          {paused ? "Resume" : "Pause"}
        </button>
        {paused ? (
          <span class="held" data-testid="held-count">
            {held.length} new
          </span>
        ) : null}
      </div>
      <ErrorMessage messages={stream.error ? [`The live view stopped: ${stream.error.message}`] : []} />
      {shown ? (
        list.length === 0 ? (
          <p>No activity yet: records appear here as they are written.</p>
        ) : (
          <AuditTable label="Activity" records={list} dates={false} onDetails={setDetails} />
        )
      ) : linked.error ? null : (
        <p class="hint">Loading…</p>
      )}
      <RecordDetails record={details} onClose={() => setDetails(undefined)} />
    </>
  );
}

const STATES: Record<StreamState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  failed: "Stopped",
};

function StreamStatus(props: { state: StreamState }) {
  return (
    <span class={`activity-state activity-${props.state}`} role="status" data-testid="stream-state">
      {STATES[props.state]}
    </span>
  );
}
