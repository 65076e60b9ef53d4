import { Link } from "../components/link.tsx";
import { Loaded } from "../components/loading.tsx";
import { PageTitle } from "../components/page-title.tsx";
import { RequestCard } from "../components/request-card.tsx";
import { useSession } from "../session-context.ts";
import type { RequestView } from "../types.ts";
import { useNow } from "../use-now.ts";
import { useResource } from "../use-resource.ts";

const POLL_MS = 3000;

/**
 * /ui/requests/<id>, where notifications link: one request, kept current. Someone else's
 * pending request offers approve and deny (the API refuses those who may not); one's own,
 * cancel.
 */
export function RequestDetailPage(props: { id: string }) {
  const { api, session } = useSession();
  const now = useNow();
  const request = useResource(
    () => api.get<RequestView>(`/v1/requests/${encodeURIComponent(props.id)}`),
    props.id,
    POLL_MS,
  );
  return (
    <>
      <PageTitle title={`Request ${props.id}`} />
      <p>
        <Link href="/ui/requests">All requests</Link>
      </p>
      <Loaded resource={request}>
        {(view) => (
          <ul class="cards">
            <RequestCard
              request={view}
              now={now}
              actions={view.requester === session.principal.name ? "mine" : "review"}
              linked={false}
              onChange={request.reload}
            />
          </ul>
        )}
      </Loaded>
    </>
  );
}
