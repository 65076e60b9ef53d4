import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api.ts";

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | undefined;
  reload: () => Promise<void>;
}

/**
 * Loads with `load` when `key` changes; with `pollMs`, loads again on that interval while the
 * page is visible, and at once when it becomes visible again (a hidden tab asks nothing). One
 * load at a time: a slow answer is not overtaken by the next tick.
 */
export function useResource<T>(load: () => Promise<T>, key: string, pollMs?: number): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const loadRef = useRef(load);
  loadRef.current = load;
  const inFlight = useRef(false);
  const current = useRef(key);
  current.current = key;

  const reload = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    const asked = current.current;
    try {
      const value = await loadRef.current();
      if (asked !== current.current) return;
      setData(value);
      setError(undefined);
    } catch (err) {
      if (asked !== current.current) return;
      setError(err instanceof ApiError ? err : new ApiError({ code: 0, reason: "", message: String(err) }));
    } finally {
      // A load for a key no longer shown has already been let go by the effect below.
      if (asked === current.current) inFlight.current = false;
    }
  }, []);

  useEffect(() => {
    setData(undefined);
    setError(undefined);
    inFlight.current = false;
    void reload();
    if (!pollMs) return;
    const tick = () => {
      if (document.visibilityState === "visible") void reload();
    };
    const timer = setInterval(tick, pollMs);
    document.addEventListener("visibilitychange", tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", tick);
    };
  }, [key, pollMs, reload]);

  return { data, error, reload };
}
