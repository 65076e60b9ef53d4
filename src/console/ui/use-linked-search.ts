import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api.ts";
import { type AuditSearch, queryString, readSearch } from "./audit-query.ts";
import { navigate, useLocation } from "./use-location.ts";

export interface Shown<T> {
  search: AuditSearch;
  data: T;
}

/**
 * A page whose search lives in its URL (`path?user=…`). submit() asks the API first and moves
 * the URL only once the API took the search: a refused one (a bad `since`) leaves the URL and
 * the results as they were, with the refusal to show beside the form. A URL reached any other
 * way (a link, a reload, back and forward) is loaded as it stands. Only the latest answer
 * counts; `shown` is a new object on every successful load, even of the same search.
 */
export function useLinkedSearch<T>(path: string, load: (search: AuditSearch) => Promise<T>) {
  const { search } = useLocation();
  const [shown, setShown] = useState<Shown<T> | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const loadRef = useRef(load);
  loadRef.current = load;
  const asked = useRef(0);
  const shownQuery = useRef<string | undefined>(undefined);

  const run = async (wanted: AuditSearch, push: boolean) => {
    const ticket = ++asked.current;
    setBusy(true);
    setError(undefined);
    try {
      const data = await loadRef.current(wanted);
      if (ticket !== asked.current) return;
      const query = queryString(wanted);
      shownQuery.current = query;
      setShown({ search: wanted, data });
      if (push) navigate(query ? `${path}?${query}` : path);
    } catch (err) {
      if (ticket !== asked.current) return;
      setError(err instanceof ApiError ? err : new ApiError({ code: 0, reason: "", message: String(err) }));
    } finally {
      if (ticket === asked.current) setBusy(false);
    }
  };

  useEffect(() => {
    const wanted = readSearch(search);
    if (queryString(wanted) !== shownQuery.current) void run(wanted, false);
  }, [search]);

  return {
    shown,
    error,
    busy,
    /** What the URL asks for now (the form's values before anything is shown). */
    asked: readSearch(search),
    submit: (wanted: AuditSearch) => run(wanted, true),
  };
}
