import "./alerts-reports.css";
import { useRef, useState } from "preact/hooks";
import {
  type AlertFilters,
  type AlertPage,
  alertListPath,
  filterQuery,
  type LoggedAlert,
  mergeAlerts,
  parseAlertFilters,
} from "../alert-types.ts";
import { ApiError } from "../api.ts";
import { ErrorMessage } from "../components/alert.tsx";
import { AlertFilterForm } from "../components/alert-filters.tsx";
import { AlertList } from "../components/alert-list.tsx";
import { PageTitle } from "../components/page-title.tsx";
import { useSession } from "../session-context.ts";
import { useClusters } from "../use-clusters.ts";
import { type StreamState, useEventSource } from "../use-event-source.ts";
import { navigate, useLocation } from "../use-location.ts";
import { useNow } from "../use-now.ts";

/**
 * /ui/alerts?severity=&rule=&user=&cluster=&since=: alerts newest first (admins: everyone's;
 * others: those about themselves), new ones joining the top as they fire, older ones a page at a
 * time. The filters live in the URL, so a filtered list can be linked.
 */
export function AlertsPage() {
  const { session } = useSession();
  const { search } = useLocation();
  const filters = parseAlertFilters(search);
  const clusters = useClusters();
  const apply = (next: AlertFilters) => {
    const query = filterQuery(next);
    navigate(`/ui/alerts${query ? `?${query}` : ""}`);
  };
  return (
    <>
      <PageTitle title="Alerts" />
      <AlertFilterForm
        key={search}
        filters={filters}
        admin={session.admin}
        clusters={clusters}
        onApply={apply}
      />
      <AlertFeed key={filterQuery(filters)} filters={filters} />
    </>
  );
}

const STREAM_TEXT: Record<StreamState, string> = {
  connecting: "Connecting to new alerts…",
  live: "Live: new alerts appear here as they fire.",
  reconnecting: "Reconnecting: new alerts will appear once the stream is back.",
  failed: "New alerts are not shown live: reload the page to see them.",
};

/** The list for one set of filters: the stream first, then the first page, then older pages on demand. */
function AlertFeed(props: { filters: AlertFilters }) {
  const { api } = useSession();
  const now = useNow();
  const [alerts, setAlerts] = useState<LoggedAlert[] | undefined>(undefined);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [announce, setAnnounce] = useState("");
  const firstLoaded = useRef(false);

  const load = async (after?: string) => {
    setBusy(true);
    try {
      const page = await api.get<AlertPage>(alertListPath(props.filters, after));
      setAlerts((old) => mergeAlerts(old ?? [], page.items));
      // The first page sets where "Load more" goes; a later first page (after a reconnect) must
      // not send it back once older pages were read.
      if (after !== undefined || !firstLoaded.current) setCursor(page.nextCursor);
      firstLoaded.current = true;
      setError(undefined);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError({ code: 0, reason: "", message: String(err) }));
    } finally {
      setBusy(false);
    }
  };

  const streamUrl = `/v1/alerts/stream?${filterQuery(props.filters, { stream: true })}`;
  const { state: stream, error: refused } = useEventSource({
    url: streamUrl,
    onEvent: (_id, data) => {
      let alert: LoggedAlert;
      try {
        alert = JSON.parse(data) as LoggedAlert;
      } catch {
        return; // not an alert: nothing to show
      }
      setAlerts((old) => mergeAlerts(old ?? [], [alert]));
      setFresh((old) => new Set(old).add(alert.id));
      setAnnounce(`New ${alert.severity} alert: ${alert.rule} about ${alert.record.user || "someone"}.`);
    },
    // Open first, then the list: no alert falls between the two (a reopened stream reloads it).
    onOpen: () => void load(),
    // The browser hides why a stream was refused: the list's own call says (and is worth
    // showing while the stream is away).
    diagnose: async () => {
      await api.get(alertListPath(props.filters));
      if (!firstLoaded.current) await load();
    },
    // This stream resumes only by the Last-Event-ID header, which a new EventSource cannot
    // send: it starts from now, and onOpen's reload fills what fired meanwhile.
    resumeUrl: () => streamUrl,
  });

  return (
    <section aria-labelledby="alerts-list-title">
      <h2 id="alerts-list-title">Alerts, newest first</h2>
      <p class="hint stream-state" data-stream={stream}>
        {STREAM_TEXT[stream]}
      </p>
      <p class="visually-hidden" role="status">
        {announce}
      </p>
      <ErrorMessage messages={[error ?? refused].flatMap((e) => (e ? [e.message] : []))} />
      {alerts === undefined ? (
        error ? null : (
          <p class="hint">Loading…</p>
        )
      ) : alerts.length === 0 ? (
        <p>
          No alerts in this time{props.filters.severity || props.filters.rule ? " matching the filters" : ""}.
        </p>
      ) : (
        <AlertList alerts={alerts} fresh={fresh} now={now} />
      )}
      {cursor ? (
        <div class="actions more">
          <button type="button" class="secondary" disabled={busy} onClick={() => void load(cursor)}>
            Load more
          </button>
        </div>
      ) : null}
    </section>
  );
}
