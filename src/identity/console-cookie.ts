/**
 * The web console's session cookie. It carries the broker session secret itself (the same
 * kind a CLI holds as a bearer), so the session service checks both the same way, and logout
 * or an admin's revoke ends a browser exactly as it ends a terminal.
 *
 * HttpOnly keeps it from the page's scripts; SameSite=Lax keeps it off cross-site subrequests
 * and form posts while still sending it on the top-level redirect back from the IdP; Path=/
 * because the console calls /v1 as well as loading /ui. It is Secure whenever the broker is
 * reached over https (plain http is only for a local demo without TLS).
 */
export const CONSOLE_COOKIE = "kb_console";

/**
 * The value of one cookie in a Cookie header (RFC 6265 §5.4: `name=value` pairs joined by
 * "; "). Only kb_console matters here, so a few lines do instead of a dependency. The first
 * occurrence wins, as browsers send the most specific (longest-path) cookie first.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    return value === "" ? undefined : value;
  }
  return undefined;
}

/** Set-Cookie for a console session that the browser keeps for `maxAgeSeconds`. */
export function consoleCookie(secret: string, maxAgeSeconds: number, secure: boolean): string {
  return cookieLine(secret, Math.max(0, Math.floor(maxAgeSeconds)), secure);
}

/** Set-Cookie that makes the browser forget the console session at once. */
export function clearedConsoleCookie(secure: boolean): string {
  return cookieLine("", 0, secure);
}

function cookieLine(value: string, maxAge: number, secure: boolean): string {
  return `${CONSOLE_COOKIE}=${value}; Max-Age=${maxAge}; Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}
