import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { type ApiError, createApi, loginUrl } from "./api.ts";
import { ErrorMessage } from "./components/alert.tsx";
import { Shell } from "./components/shell.tsx";
import { ActivityPage } from "./pages/activity.tsx";
import { AlertDetailPage } from "./pages/alert-detail.tsx";
import { AlertsPage } from "./pages/alerts.tsx";
import { AuditSearchPage } from "./pages/audit-search.tsx";
import { GrantsPage } from "./pages/grants.tsx";
import { MyAccessPage } from "./pages/my-access.tsx";
import { NotFoundPage } from "./pages/not-found.tsx";
import { ReportsPage } from "./pages/reports.tsx";
import { RequestDetailPage } from "./pages/request-detail.tsx";
import { RequestsPage } from "./pages/requests.tsx";
import { SessionDetailPage } from "./pages/session-detail.tsx";
import { SessionsPage } from "./pages/sessions.tsx";
import { matchRoute, type Route, sectionOf } from "./routes.ts";
import { SessionContext, useSession } from "./session-context.ts";
import type { ConsoleSession } from "./types.ts";
import { useLocation } from "./use-location.ts";

let signingIn = false;

/** Any 401: sign in again and come back here. Once, however many calls fail together. */
function signIn(): void {
  if (signingIn) return;
  signingIn = true;
  location.assign(loginUrl(location.pathname + location.search));
}

/** Boot: the console session first (who, admin, the CSRF token), then the page the path names. */
export function App() {
  const session = useRef<ConsoleSession | undefined>(undefined);
  const api = useMemo(
    () =>
      createApi({
        // Called through a closure: fetch must be called with the window as `this`.
        fetch: (input, init) => window.fetch(input, init),
        csrfToken: () => session.current?.csrfToken,
        onUnauthorized: signIn,
      }),
    [],
  );
  const [booted, setBooted] = useState<ConsoleSession | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const { pathname } = useLocation();
  const route = matchRoute(pathname);
  const firstPath = useRef(pathname);

  useEffect(() => {
    api.get<ConsoleSession>("/v1/console/session").then(
      (value) => {
        session.current = value;
        setBooted(value);
      },
      (err: ApiError) => {
        if (err.code !== 401) setError(err);
      },
    );
  }, [api]);

  // After the router changes page (not on the first load), the focus goes to its heading.
  useEffect(() => {
    if (pathname === firstPath.current) return;
    firstPath.current = "";
    document.querySelector<HTMLElement>("main h1")?.focus();
  }, [pathname]);

  if (!booted) {
    return (
      <main id="main">
        {error ? (
          <>
            <h1>The console could not start</h1>
            <ErrorMessage messages={[error.message]} />
            <button type="button" onClick={() => location.reload()}>
              Try again
            </button>
          </>
        ) : (
          <p class="hint">Loading…</p>
        )}
      </main>
    );
  }
  return (
    <SessionContext.Provider value={{ session: booted, api }}>
      <Shell section={sectionOf(route)}>
        <Page route={route} />
      </Shell>
    </SessionContext.Provider>
  );
}

function Page(props: { route: Route }) {
  const { route } = props;
  const { features } = useSession().session;
  switch (route.page) {
    case "access":
      return <MyAccessPage />;
    case "requests":
      return <RequestsPage />;
    case "request":
      return <RequestDetailPage key={route.id} id={route.id} />;
    case "grants":
      return <GrantsPage />;
    case "activity":
      return <ActivityPage />;
    case "audit":
      return <AuditSearchPage />;
    case "sessions":
      return <SessionsPage />;
    case "session":
      return <SessionDetailPage key={route.id} id={route.id} />;
    // Reports and alerts exist only where their API does (ConsoleSession.features).
    case "reports":
      return features.reports ? <ReportsPage /> : <NotFoundPage />;
    case "alerts":
      return features.alerts ? <AlertsPage /> : <NotFoundPage />;
    case "alert":
      return features.alerts ? <AlertDetailPage key={route.id} id={route.id} /> : <NotFoundPage />;
    case "not-found":
      return <NotFoundPage />;
  }
}
