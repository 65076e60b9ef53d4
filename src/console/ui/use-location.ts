import { useEffect, useState } from "preact/hooks";

/**
 * The tiny router: the current path from the history API. navigate() pushes a path and tells
 * every useLocation(); the back and forward buttons arrive as popstate.
 */
const CHANGE = "kb:navigate";

export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, "", path);
  window.dispatchEvent(new Event(CHANGE));
}

export function useLocation(): { pathname: string; search: string } {
  const read = () => ({ pathname: location.pathname, search: location.search });
  const [current, setCurrent] = useState(read);
  useEffect(() => {
    const update = () => setCurrent(read());
    window.addEventListener("popstate", update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return current;
}
