import { useEffect, useRef, useState } from "preact/hooks";
import type { LoggedAlert } from "./alert-types.ts";

export type StreamState = "connecting" | "live" | "reconnecting" | "closed";

/**
 * Follows GET /v1/alerts/stream (Server-Sent Events, with the cookie, same origin) for as long
 * as the page shows it: `onAlert` for each alert as it fires. `onOpen` runs each time the
 * stream is open, so the caller can read the list after that, leaving no gap between the two.
 * The browser reconnects by itself, resuming from the last event id it saw (Last-Event-ID);
 * a refusal (4xx) closes the stream for good. `onError` runs on each failure.
 */
export function useAlertStream(
  query: string,
  handlers: { onAlert: (alert: LoggedAlert) => void; onOpen: () => void; onError: () => void },
): StreamState {
  const [state, setState] = useState<StreamState>("connecting");
  const latest = useRef(handlers);
  latest.current = handlers;

  useEffect(() => {
    setState("connecting");
    const source = new EventSource(`/v1/alerts/stream${query ? `?${query}` : ""}`);
    source.onopen = () => {
      setState("live");
      latest.current.onOpen();
    };
    source.onmessage = (event: MessageEvent<string>) => {
      latest.current.onAlert(JSON.parse(event.data) as LoggedAlert);
    };
    source.onerror = () => {
      setState(source.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
      latest.current.onError();
    };
    return () => source.close();
  }, [query]);

  return state;
}
