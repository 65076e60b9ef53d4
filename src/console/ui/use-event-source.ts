import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api.ts";

export type StreamState = "connecting" | "live" | "reconnecting" | "failed";

export interface EventSourceOptions {
  /** The stream to follow; undefined follows nothing. A new URL closes the old stream. */
  url: string | undefined;
  onEvent: (id: string, data: string) => void;
  /** Each time the stream is open (first and after a reconnect): read what came before it. */
  onOpen?: () => void;
  /**
   * Asked why, when the browser gives up on the stream: an EventSource drops an answer that is
   * not a stream (401, 403, 422, 503) without showing it to the page. Rejects with the API's
   * refusal (the same call without streaming), or resolves when trying again may work.
   */
  diagnose: () => Promise<void>;
  /** Where to open again after giving up, from the last event id seen. */
  resumeUrl: (lastId: string) => string;
}

const FIRST_RETRY_MS = 2000;
const LAST_RETRY_MS = 30_000;

/**
 * Follows a Server-Sent Events stream with the browser's EventSource. It rides out a dropped
 * connection by itself (reconnecting with Last-Event-ID, so nothing is lost); when it gives
 * up, this asks `diagnose` why: a refusal (bad filter, not allowed) stops with the API's
 * message, anything else (the broker restarting, a 503) is tried again from the last event,
 * later each time. A 401 has already sent the browser to sign in by then (api.ts).
 */
export function useEventSource(options: EventSourceOptions): { state: StreamState; error?: ApiError } {
  const [state, setState] = useState<StreamState>("connecting");
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const latest = useRef(options);
  latest.current = options;
  const { url } = options;

  useEffect(() => {
    if (!url) return;
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let lastId = "";
    let delay = FIRST_RETRY_MS;
    setState("connecting");
    setError(undefined);

    const retry = () => {
      if (stopped) return;
      timer = setTimeout(() => open(lastId ? latest.current.resumeUrl(lastId) : url), delay);
      delay = Math.min(delay * 2, LAST_RETRY_MS);
    };
    const giveUp = (err: unknown) => {
      if (stopped) return;
      const refused = err instanceof ApiError && err.code >= 400 && err.code < 500 && err.code !== 429;
      if (!refused) return retry();
      setState("failed");
      setError(err);
    };
    const open = (at: string) => {
      const current = new EventSource(at);
      source = current;
      current.onopen = () => {
        delay = FIRST_RETRY_MS;
        setState("live");
        latest.current.onOpen?.();
      };
      current.onmessage = (event) => {
        if (event.lastEventId) lastId = event.lastEventId;
        latest.current.onEvent(event.lastEventId, event.data);
      };
      current.onerror = () => {
        if (stopped) return;
        setState("reconnecting");
        if (current.readyState !== EventSource.CLOSED) return; // the browser reconnects itself
        current.close();
        latest.current.diagnose().then(retry, giveUp);
      };
    };
    open(url);
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [url]);

  return error ? { state, error } : { state };
}
