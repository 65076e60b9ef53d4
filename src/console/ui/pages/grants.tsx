import { useState } from "preact/hooks";
import { GrantList } from "../components/grant-list.tsx";
import { Loaded } from "../components/loading.tsx";
import { PageTitle } from "../components/page-title.tsx";
import { useSession } from "../session-context.ts";
import type { GrantView, List } from "../types.ts";
import { useResource } from "../use-resource.ts";

const POLL_MS = 3000;

/** /ui/grants: active grants, mine or (for admins) everyone's, each revocable after a confirmation. */
export function GrantsPage() {
  const { api, session } = useSession();
  const [everyone, setEveryone] = useState(false);
  const all = session.admin && everyone;
  const grants = useResource(
    () => api.get<List<GrantView>>(all ? "/v1/grants?scope=all" : "/v1/grants"),
    all ? "all" : "mine",
    POLL_MS,
  );
  return (
    <>
      <PageTitle title="Grants" />
      {session.admin ? (
        <div class="field inline">
          <input
            id="grants-everyone"
            type="checkbox"
            checked={everyone}
            onChange={(e) => setEveryone(e.currentTarget.checked)}
          />
          <label for="grants-everyone">Show everyone's grants</label>
        </div>
      ) : null}
      <Loaded resource={grants}>
        {(list) => (
          <GrantList
            grants={list.items.filter((g) => g.state !== "ended")}
            showUser={all}
            onChange={grants.reload}
          />
        )}
      </Loaded>
    </>
  );
}
