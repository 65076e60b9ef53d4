import { Loaded } from "../components/loading.tsx";
import { PageTitle } from "../components/page-title.tsx";
import { RequestCard } from "../components/request-card.tsx";
import { useSession } from "../session-context.ts";
import type { List, RequestView } from "../types.ts";
import { useNow } from "../use-now.ts";
import { type Resource, useResource } from "../use-resource.ts";

const POLL_MS = 3000;

/** /ui/requests: what waits for my decision (new ones appear as they come), and my own requests. */
export function RequestsPage() {
  const { api } = useSession();
  const now = useNow();
  const review = useResource(
    () => api.get<List<RequestView>>("/v1/requests?scope=review&state=pending"),
    "review",
    POLL_MS,
  );
  const mine = useResource(() => api.get<List<RequestView>>("/v1/requests?scope=mine"), "mine", POLL_MS);
  const changed = () => {
    void review.reload();
    void mine.reload();
  };

  return (
    <>
      <PageTitle title="Requests" />
      <RequestSection
        id="review"
        title="Waiting for your decision"
        empty="Nothing waits for you."
        resource={review}
        actions="review"
        now={now}
        onChange={changed}
      />
      <RequestSection
        id="mine"
        title="Your requests"
        empty="You have made no requests."
        resource={mine}
        actions="mine"
        now={now}
        onChange={changed}
      />
    </>
  );
}

/** A titled list of requests, each a card with the actions given. */
function RequestSection(props: {
  id: string;
  title: string;
  empty: string;
  resource: Resource<List<RequestView>>;
  actions: "review" | "mine";
  now: number;
  onChange(): void;
}) {
  return (
    <section aria-labelledby={`${props.id}-title`}>
      <h2 id={`${props.id}-title`}>{props.title}</h2>
      <Loaded resource={props.resource}>
        {(list) =>
          list.items.length === 0 ? (
            <p>{props.empty}</p>
          ) : (
            <ul class="cards">
              {list.items.map((request) => (
                <RequestCard
                  key={request.id}
                  request={request}
                  now={props.now}
                  actions={props.actions}
                  linked
                  onChange={props.onChange}
                />
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}
