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

/** Where a console login lands when the asked-for place is not a console page. */
export const CONSOLE_HOME = "/ui/";

/**
 * The console page a sign-in returns to: a path under /ui/ on this origin, normalised the
 * way the browser will read it (so `/ui/../v1/…` or `/ui/%2e%2e/…` cannot climb out), with
 * its query and without a fragment. Anything else (`//evil.example`, an absolute URL, an API
 * path, a backslash some browsers read as a slash) becomes the console's home: an open
 * redirect here would lend the broker's name to a phishing link.
 */
export function consoleReturnPath(raw: unknown): string {
  if (typeof raw !== "string" || raw.length > 2048 || !raw.startsWith(CONSOLE_HOME)) return CONSOLE_HOME;
  // Browsers send a path percent-encoded: anything but printable ASCII (a control character,
  // a space) or a backslash, which some browsers read as a slash, is not the console's own.
  if (!/^[!-~]+$/.test(raw) || raw.includes("\\")) return CONSOLE_HOME;
  const base = "https://console.invalid";
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return CONSOLE_HOME;
  }
  if (url.origin !== base || !url.pathname.startsWith(CONSOLE_HOME)) return CONSOLE_HOME;
  return url.pathname + url.search;
}
