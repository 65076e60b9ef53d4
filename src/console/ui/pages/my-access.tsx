import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { formatDuration } from "../../../shared/duration.ts";
import { CopyCommand } from "../components/copy-command.tsx";
import { GrantList } from "../components/grant-list.tsx";
import { Link } from "../components/link.tsx";
import { Loaded } from "../components/loading.tsx";
import { PageTitle } from "../components/page-title.tsx";
import { RequestForm } from "../components/request-form.tsx";
import { kubeconfigCommand } from "../kubectl-command.ts";
import { useSession } from "../session-context.ts";
import type { GrantView, List, RequestView, Whoami } from "../types.ts";
import { useResource } from "../use-resource.ts";

const POLL_MS = 3000;

/** /ui/: what I hold now, what I may hold or ask for, and the form to ask. */
export function MyAccessPage() {
  const { api } = useSession();
  const whoami = useResource(() => api.get<Whoami>("/v1/whoami"), "whoami");
  const grants = useResource(() => api.get<List<GrantView>>("/v1/grants"), "mine", POLL_MS);
  const [created, setCreated] = useState<RequestView | undefined>(undefined);

  const onCreated = (request: RequestView) => {
    setCreated(request);
    if (request.state === "approved") void grants.reload();
  };

  return (
    <>
      <PageTitle title="My access" />
      <section aria-labelledby="grants-title">
        <h2 id="grants-title">Active grants</h2>
        <Loaded resource={grants}>
          {(list) => (
            <GrantList
              grants={list.items.filter((g) => g.state !== "ended")}
              showUser={false}
              onChange={grants.reload}
            />
          )}
        </Loaded>
      </section>
      <Loaded resource={whoami}>
        {({ entitlements }) => (
          <>
            <section aria-labelledby="request-title">
              <h2 id="request-title">Request access</h2>
              {entitlements.requestable.length === 0 ? (
                <p>Your policy lets you request no access.</p>
              ) : (
                <RequestForm requestable={entitlements.requestable} onCreated={onCreated} />
              )}
              <p class="notice" role="status">
                {created ? <Created request={created} /> : null}
              </p>
            </section>
            <section aria-labelledby="standing-title">
              <h2 id="standing-title">Standing access</h2>
              <p class="hint">
                Yours whenever you use it, without asking; each credential lasts a short while.
              </p>
              {entitlements.standing.length === 0 ? (
                <p>None.</p>
              ) : (
                <ul class="cards">
                  {entitlements.standing.map((entry) => (
                    <EntitlementCard key={entitlementKey(entry)} entry={entry}>
                      <dt>Longest grant</dt>
                      <dd>{formatDuration(entry.maxTtlSeconds)}</dd>
                    </EntitlementCard>
                  ))}
                </ul>
              )}
            </section>
            <section aria-labelledby="requestable-title">
              <h2 id="requestable-title">What you can request</h2>
              {entitlements.requestable.length === 0 ? (
                <p>Nothing.</p>
              ) : (
                <ul class="cards">
                  {entitlements.requestable.map((entry) => (
                    <EntitlementCard
                      key={entitlementKey(entry)}
                      entry={entry}
                      hint="Once approved, set up kubectl with:"
                    >
                      <dt>Longest</dt>
                      <dd>{formatDuration(entry.maxDurationSeconds)}</dd>
                      <dt>Approvals</dt>
                      <dd>{entry.autoApprove ? "approved at once" : entry.approvalsRequired}</dd>
                      <dt>Reason</dt>
                      <dd>{entry.reasonRequired ? "required" : "optional"}</dd>
                    </EntitlementCard>
                  ))}
                </ul>
              )}
            </section>
          </>
        )}
      </Loaded>
    </>
  );
}

function Created(props: { request: RequestView }) {
  const { request } = props;
  const link = <Link href={`/ui/requests/${encodeURIComponent(request.id)}`}>request {request.id}</Link>;
  if (request.state === "approved") return <>Approved at once ({link}): your grant is active.</>;
  return (
    <>
      Sent {link}: it waits for {request.approvalsRequired} approval
      {request.approvalsRequired === 1 ? "" : "s"}.
    </>
  );
}

type Entry = Pick<Whoami["entitlements"]["standing"][number], "cluster" | "role" | "namespaces" | "scope">;

function entitlementKey(entry: Entry): string {
  return `${entry.cluster}/${entry.role}/${entry.namespaces.join()}`;
}

/** A role on a cluster I hold or may ask for: where, the terms (children, as dt/dd), the set-up command. */
function EntitlementCard(props: { entry: Entry; hint?: string; children: ComponentChildren }) {
  const { entry } = props;
  return (
    <li class="card">
      <h3>
        {entry.role} on {entry.cluster}
      </h3>
      <dl>
        <dt>Namespaces</dt>
        <dd>{entry.scope === "cluster" ? "cluster-wide" : entry.namespaces.join(", ")}</dd>
        {props.children}
      </dl>
      {props.hint ? <p class="hint">{props.hint}</p> : null}
      <CopyCommand command={kubeconfigCommand(entry)} />
    </li>
  );
}
