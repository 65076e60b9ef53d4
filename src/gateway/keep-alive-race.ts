import type { ClientRequest, IncomingMessage, ServerResponse } from "node:http";

/** Requests that change nothing, so sending one again cannot do anything twice. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The keep-alive race: the cluster closed an idle connection just as the agent sent a request
 * on it, so the request died before the cluster read it ("socket hang up"). Such a request may
 * be sent once more, on whatever connection the agent gives next (the dead one has left its
 * pool), if it changes nothing and the client has had no answer yet.
 */
export function lostToKeepAliveRace(
  req: IncomingMessage,
  client: ServerResponse | unknown,
  upstream: ClientRequest | undefined,
  code: string | undefined,
): client is ServerResponse {
  const res = client as ServerResponse;
  return (
    code === "ECONNRESET" &&
    upstream?.reusedSocket === true &&
    SAFE_METHODS.has(req.method ?? "") &&
    typeof res?.writeHead === "function" &&
    !res.headersSent &&
    !res.destroyed
  );
}
