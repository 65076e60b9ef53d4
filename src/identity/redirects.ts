import { BadRequest } from "../shared/errors.ts";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

/**
 * Where a login may finish: the CLI's loopback listener (any port, plain http, as RFC 8252
 * allows for native apps) or a URL the operator configured. Anything else could hand a
 * one-time code to a stranger, so it is refused before the IdP is even involved.
 */
export function checkLoginRedirect(raw: unknown, allowed: string[]): URL {
  if (typeof raw !== "string" || raw === "") throw new BadRequest("redirect_uri is required");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BadRequest("redirect_uri is not a URL");
  }
  if (url.username || url.password || url.hash)
    throw new BadRequest("redirect_uri must not carry credentials or a fragment");
  const loopback = url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname) && url.port !== "";
  const configured = allowed.some((a) => {
    const ok = new URL(a);
    return ok.origin === url.origin && ok.pathname === url.pathname;
  });
  if (!loopback && !configured) {
    throw new BadRequest(
      "redirect_uri must be a loopback address (http://127.0.0.1:PORT/…) or a configured URL",
    );
  }
  return url;
}
