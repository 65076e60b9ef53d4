import "./sessions.css";
import type { ComponentChildren } from "preact";
import { Link } from "../components/link.tsx";
import { Loaded } from "../components/loading.tsx";
import { PageTitle } from "../components/page-title.tsx";
import { SessionPlayer } from "../components/session-player.tsx";
import { When } from "../components/when.tsx";
import { castPath, commandOf, endingOf, lengthOf, podOf, type RecordingMeta } from "../recording-types.ts";
import { useSession } from "../session-context.ts";
import { useNow } from "../use-now.ts";
import { useResource } from "../use-resource.ts";

/**
 * /ui/sessions/<id>, where the Activity page's "Play recording" links (the id is the exec's
 * audit record id): what the session was, its recording in the player, and the .cast file to
 * download. A session that was not recorded, or is not the viewer's to see, shows the API's
 * 404 message.
 */
export function SessionDetailPage(props: { id: string }) {
  const { api } = useSession();
  const meta = useResource(
    () => api.get<RecordingMeta>(`/v1/recordings/${encodeURIComponent(props.id)}`),
    props.id,
  );
  return (
    <>
      <div class="long-title">
        <PageTitle title={`Session ${props.id}`} />
      </div>
      <p>
        <Link href="/ui/sessions">All sessions</Link>
      </p>
      <Loaded resource={meta}>{(view) => <SessionView meta={view} />}</Loaded>
    </>
  );
}

function Row(props: { term: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </>
  );
}

function SessionView(props: { meta: RecordingMeta }) {
  const { meta } = props;
  const { api } = useSession();
  // Asked for once the meta is there: a session without a recording shows one message, not two.
  const cast = useResource(() => api.getText(castPath(meta.id)), meta.id);
  return (
    <div class="session-detail" data-session-id={meta.id}>
      <SessionFacts meta={meta} />
      <h2>Recording</h2>
      {meta.state === "recording" ? (
        <p class="hint">The session is still going on: this is what was recorded when the page loaded.</p>
      ) : null}
      <Loaded resource={cast}>
        {(text) =>
          text.trim() === "" ? (
            <p>Nothing of this session was recorded.</p>
          ) : (
            <SessionPlayer cast={text} label={`Recording of ${commandOf(meta)} in ${podOf(meta)}`} />
          )
        }
      </Loaded>
      <p>
        <a href={castPath(meta.id)} download={`${meta.id}.cast`}>
          Download .cast
        </a>{" "}
        <span class="hint">(asciicast v2: asciinema play plays it in a terminal)</span>
      </p>
    </div>
  );
}

/** What the session was; its own component, so the clock's tick re-renders these lines, not the player. */
function SessionFacts(props: { meta: RecordingMeta }) {
  const { meta } = props;
  const now = useNow();
  return (
    <dl>
      <Row term="User">{meta.user}</Row>
      <Row term="Pod">{podOf(meta)}</Row>
      <Row term="Command">
        <code>{commandOf(meta)}</code>
        {meta.tty ? " (terminal)" : ""}
      </Row>
      <Row term="Started">
        <When at={new Date(meta.startedAt).toISOString()} now={now} />
      </Row>
      <Row term="Length">{lengthOf(meta, now)}</Row>
      <Row term="Ending">{endingOf(meta)}</Row>
      <Row term="Access">
        {meta.role} through{" "}
        <Link href={`/ui/audit?grant=${encodeURIComponent(meta.grant)}`} title="Search this grant's records">
          {meta.grant}
        </Link>
        {meta.grantKind ? ` (${meta.grantKind})` : ""}
      </Row>
      <Row term="Recorded">
        {meta.mode}, over {meta.protocol}, {meta.bytes.toLocaleString()} bytes
      </Row>
    </dl>
  );
}
