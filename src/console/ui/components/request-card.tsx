import { useState } from "preact/hooks";
import { formatDuration } from "../../../shared/duration.ts";
import { useSession } from "../session-context.ts";
import type { RequestView } from "../types.ts";
import { useAction } from "../use-action.ts";
import { ErrorMessage } from "./alert.tsx";
import { Link } from "./link.tsx";
import { When } from "./when.tsx";

/**
 * One access request: what is asked, its state, the approvals so far against the threshold,
 * and what the viewer may do with it: approve or deny with a comment (`review`), or cancel
 * their own pending one (`mine`).
 */
export function RequestCard(props: {
  request: RequestView;
  now: number;
  actions: "review" | "mine" | "none";
  /** Link the title to the request's own page (not on that page itself). */
  linked: boolean;
  onChange: () => void;
}) {
  const { request, now } = props;
  const title = `${request.role} on ${request.cluster}`;
  return (
    <li class="card" data-request-id={request.id}>
      <h3>
        {props.linked ? <Link href={`/ui/requests/${encodeURIComponent(request.id)}`}>{title}</Link> : title}{" "}
        <span class={`state state-${request.state}`}>{request.state}</span>
      </h3>
      <dl>
        <dt>Requester</dt>
        <dd>{request.requester}</dd>
        <dt>Namespaces</dt>
        <dd>{request.namespaces.join(", ") || "cluster-wide"}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(request.duration)}</dd>
        <dt>Reason</dt>
        <dd>{request.reason || "none given"}</dd>
        {request.onCall && request.onCall.people.length > 0 ? (
          <>
            <dt>On call</dt>
            <dd class="on-call">
              {request.onCall.people.join(", ")} ({request.onCall.schedule}
              {request.onCall.stale ? ", from the schedule's last good copy" : ""})
            </dd>
          </>
        ) : null}
        <dt>Approvals</dt>
        <dd>
          <span class="approvals">
            {request.approvals.length} of {request.approvalsRequired}
          </span>
          {request.approvals.length > 0
            ? `: ${request.approvals.map((a) => a.by + (a.comment ? ` ("${a.comment}")` : "")).join(", ")}`
            : ""}
        </dd>
        {request.denial ? (
          <>
            <dt>Denied by</dt>
            <dd>
              {request.denial.by}
              {request.denial.comment ? ` ("${request.denial.comment}")` : ""}
            </dd>
          </>
        ) : null}
        <dt>Asked</dt>
        <dd>
          <When at={request.createdAt} now={now} />
        </dd>
        {request.state === "pending" ? (
          <>
            <dt>Expires</dt>
            <dd>
              <When at={request.expiresAt} now={now} />
            </dd>
          </>
        ) : null}
        {request.grantId ? (
          <>
            <dt>Grant</dt>
            <dd>
              <Link href="/ui/grants">{request.grantId}</Link>
            </dd>
          </>
        ) : null}
      </dl>
      {request.grantError ? <ErrorMessage messages={[`The grant failed: ${request.grantError}`]} /> : null}
      {request.state === "pending" && props.actions === "review" ? (
        <Decide request={request} onChange={props.onChange} />
      ) : null}
      {request.state === "pending" && props.actions === "mine" ? (
        <Cancel request={request} onChange={props.onChange} />
      ) : null}
    </li>
  );
}

function Decide(props: { request: RequestView; onChange: () => void }) {
  const { api } = useSession();
  const [comment, setComment] = useState("");
  const { busy, error, run } = useAction();
  const id = `comment-${props.request.id}`;

  const decide = (verb: "approve" | "deny") =>
    run(async () => {
      await api.post(`/v1/requests/${encodeURIComponent(props.request.id)}/${verb}`, { comment });
      setComment("");
      props.onChange();
    });

  return (
    <div class="decide">
      <div class="field">
        <label for={id}>Comment</label>
        <textarea
          id={id}
          rows={2}
          maxLength={1024}
          value={comment}
          onInput={(e) => setComment(e.currentTarget.value)}
        />
      </div>
      <ErrorMessage messages={error ? [error.message] : []} />
      <div class="actions">
        <button type="button" disabled={busy} onClick={() => decide("approve")}>
          Approve
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => decide("deny")}>
          Deny
        </button>
      </div>
    </div>
  );
}

function Cancel(props: { request: RequestView; onChange: () => void }) {
  const { api } = useSession();
  const { busy, error, run } = useAction();
  const cancel = () =>
    run(async () => {
      await api.post(`/v1/requests/${encodeURIComponent(props.request.id)}/cancel`);
      props.onChange();
    });
  return (
    <div>
      <ErrorMessage messages={error ? [error.message] : []} />
      <div class="actions">
        <button type="button" class="secondary" disabled={busy} onClick={cancel}>
          Cancel request
        </button>
      </div>
    </div>
  );
}
