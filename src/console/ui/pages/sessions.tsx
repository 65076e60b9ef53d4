import "./alerts-reports.css";
import "./sessions.css";
import { ErrorMessage } from "../components/alert.tsx";
import { Link } from "../components/link.tsx";
import { PageTitle } from "../components/page-title.tsx";
import { SessionFilters } from "../components/session-filters.tsx";
import { TableScroll } from "../components/table-scroll.tsx";
import { When } from "../components/when.tsx";
import { formErrors } from "../field-errors.ts";
import {
  commandOf,
  endingOf,
  lengthOf,
  podOf,
  type RecordingHits,
  type RecordingList,
  type RecordingMeta,
  readSessionSearch,
  recordingsPath,
  SESSION_FIELDS,
  type SessionSearch,
  sessionPath,
  sessionQuery,
} from "../recording-types.ts";
import { useSession } from "../session-context.ts";
import { navigate, useLocation } from "../use-location.ts";
import { useNow } from "../use-now.ts";
import { useResource } from "../use-resource.ts";

interface Row {
  meta: RecordingMeta;
  /** With a search: the lines typed in the session that hold the text. */
  lines?: string[];
}

/**
 * /ui/sessions?user=&cluster=&namespace=&pod=&since=&q=: recorded exec and attach sessions,
 * newest first (admins: everyone's; others: their own, as the API scopes them), each linking to
 * its player. With `q`, only sessions in which someone typed that text, with the lines. The
 * search lives in the URL, so it can be linked; the API's refusal of a field shows beside it.
 */
export function SessionsPage() {
  const { api, session } = useSession();
  const { search } = useLocation();
  const asked = readSessionSearch(search);
  const path = recordingsPath(asked);
  const result = useResource(async (): Promise<Row[]> => {
    if (asked.q)
      return (await api.get<RecordingHits>(path)).items.map((h) => ({ meta: h.recording, lines: h.lines }));
    return (await api.get<RecordingList>(path)).items.map((meta) => ({ meta }));
  }, path);
  const apply = (next: SessionSearch) => {
    const query = sessionQuery(next);
    navigate(query ? `/ui/sessions?${query}` : "/ui/sessions");
  };
  const errors = result.error ? formErrors(result.error, SESSION_FIELDS) : { fields: {}, general: [] };

  return (
    <>
      <PageTitle title="Sessions" />
      <p class="hint">
        {session.admin ? "Everyone's" : "Your"} kubectl exec and attach sessions that the gateway recorded,
        newest first. What was typed is recorded too, so the text box finds a session by a command run in it.
      </p>
      <SessionFilters
        key={search}
        value={asked}
        showUser={session.admin}
        errors={errors.fields}
        onApply={apply}
      />
      <ErrorMessage messages={errors.general} />
      {result.data ? (
        <SessionTable rows={result.data} search={asked.q} />
      ) : result.error ? null : (
        <p class="hint">Loading…</p>
      )}
    </>
  );
}

function SessionTable(props: { rows: Row[]; search: string | undefined }) {
  const now = useNow();
  if (props.rows.length === 0) {
    return (
      <p role="status" data-testid="sessions-summary">
        {props.search
          ? `No session in this time has a typed line with "${props.search}".`
          : "No recorded sessions in this time."}
      </p>
    );
  }
  return (
    <>
      <p class="hint" role="status" data-testid="sessions-summary">
        {props.rows.length} session{props.rows.length === 1 ? "" : "s"}, newest first.
      </p>
      <TableScroll label="Sessions">
        <table class="data sessions">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">User</th>
              <th scope="col">Pod</th>
              <th scope="col">Command</th>
              <th scope="col">Length</th>
              <th scope="col">Ending</th>
              {props.search !== undefined ? <th scope="col">Typed lines</th> : null}
              <th scope="col">Recording</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map(({ meta, lines }) => (
              <tr key={meta.id} data-session-id={meta.id}>
                <td>
                  <When at={new Date(meta.startedAt).toISOString()} now={now} />
                </td>
                <td>{meta.user}</td>
                <td>{podOf(meta)}</td>
                <td>
                  <code>{commandOf(meta)}</code>
                </td>
                <td>{lengthOf(meta, now)}</td>
                <td>{endingOf(meta)}</td>
                {props.search !== undefined ? (
                  <td>
                    <ul class="typed-lines">
                      {(lines ?? []).map((line, i) => (
                        <li key={i}>
                          <code>{line}</code>
                        </li>
                      ))}
                    </ul>
                  </td>
                ) : null}
                <td>
                  <Link href={sessionPath(meta.id)}>Play</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}
