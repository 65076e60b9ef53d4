/** The console's pages by path (all under /ui/), for the history-API router. */
export type Route =
  | { page: "access" }
  | { page: "requests" }
  | { page: "request"; id: string }
  | { page: "grants" }
  | { page: "activity" }
  | { page: "audit" }
  | { page: "alerts" }
  | { page: "alert"; id: string }
  | { page: "reports" }
  | { page: "sessions" }
  | { page: "session"; id: string }
  | { page: "not-found" };

/** The navigation's entries; a page with an id belongs to its list's entry. */
export type Section =
  | "access"
  | "requests"
  | "grants"
  | "activity"
  | "audit"
  | "sessions"
  | "alerts"
  | "reports";

const LISTS: Record<string, Route> = {
  "/ui": { page: "access" },
  "/ui/requests": { page: "requests" },
  "/ui/grants": { page: "grants" },
  "/ui/activity": { page: "activity" },
  "/ui/audit": { page: "audit" },
  "/ui/alerts": { page: "alerts" },
  "/ui/reports": { page: "reports" },
  "/ui/sessions": { page: "sessions" },
};

/** Pages of one item: /ui/<list>/<id>. */
const ITEMS = { requests: "request", alerts: "alert", sessions: "session" } as const;

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "");
  const list = LISTS[path];
  if (list) return list;
  const item = /^\/ui\/(requests|alerts|sessions)\/([^/]+)$/.exec(path);
  if (item) {
    try {
      return { page: ITEMS[item[1] as keyof typeof ITEMS], id: decodeURIComponent(item[2]!) };
    } catch {
      return { page: "not-found" };
    }
  }
  return { page: "not-found" };
}

export function pathOf(route: Exclude<Route, { page: "not-found" }>): string {
  switch (route.page) {
    case "access":
      return "/ui/";
    case "request":
      return `/ui/requests/${encodeURIComponent(route.id)}`;
    case "alert":
      return `/ui/alerts/${encodeURIComponent(route.id)}`;
    case "session":
      return `/ui/sessions/${encodeURIComponent(route.id)}`;
    default:
      return `/ui/${route.page}`;
  }
}

/** Which navigation entry a route belongs to (a request's page is under Requests). */
export function sectionOf(route: Route): Section | undefined {
  if (route.page === "request") return "requests";
  if (route.page === "alert") return "alerts";
  if (route.page === "session") return "sessions";
  return route.page === "not-found" ? undefined : route.page;
}
