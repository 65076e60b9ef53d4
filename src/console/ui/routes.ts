/** The console's pages by path (all under /ui/), for the history-API router. */
export type Route =
  | { page: "access" }
  | { page: "requests" }
  | { page: "request"; id: string }
  | { page: "grants" }
  | { page: "not-found" };

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "");
  if (path === "/ui") return { page: "access" };
  if (path === "/ui/requests") return { page: "requests" };
  if (path === "/ui/grants") return { page: "grants" };
  const request = /^\/ui\/requests\/([^/]+)$/.exec(path);
  if (request) {
    try {
      return { page: "request", id: decodeURIComponent(request[1]!) };
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
    case "requests":
      return "/ui/requests";
    case "request":
      return `/ui/requests/${encodeURIComponent(route.id)}`;
    case "grants":
      return "/ui/grants";
  }
}

/** Which navigation entry a route belongs to (a request's page is under Requests). */
export function sectionOf(route: Route): "access" | "requests" | "grants" | undefined {
  if (route.page === "request") return "requests";
  return route.page === "not-found" ? undefined : route.page;
}
