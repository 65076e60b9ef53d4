import { createHmac } from "node:crypto";
import { Forbidden } from "../shared/errors.ts";
import { constantTimeEqual } from "../shared/ids.ts";

/**
 * CSRF protection for requests authenticated by the console cookie. A browser attaches the
 * cookie to any request to the broker, including one a hostile page makes it send; such a
 * page cannot read our responses (same-origin policy), so it cannot know a token derived
 * from the session secret. Deriving it (rather than storing one) means no extra state, every
 * replica agrees, and the token dies with the session. The Origin check is a second, cheap
 * line for the browsers that send one.
 */
export function csrfTokenFor(sessionSecret: string): string {
  return createHmac("sha256", sessionSecret).update("kb-console-csrf").digest("base64url");
}

/** Methods that change nothing (RFC 9110 §9.2.1) need no token. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Throws Forbidden unless a cookie-authenticated request may go on: a safe method, or the
 * right X-CSRF-Token and (when the browser says where it comes from) our own Origin.
 */
export function checkCrossSite(
  request: { method: string; origin: string | undefined; csrfToken: string | undefined },
  sessionSecret: string,
  publicOrigin: string,
): void {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return;
  if (request.origin !== undefined && request.origin !== publicOrigin) {
    throw new Forbidden(`cross-site request refused: the request's Origin is not ${publicOrigin}`);
  }
  if (!request.csrfToken)
    throw new Forbidden("cross-site request refused: the X-CSRF-Token header is missing");
  if (!constantTimeEqual(request.csrfToken, csrfTokenFor(sessionSecret))) {
    throw new Forbidden("cross-site request refused: the X-CSRF-Token header does not match this session");
  }
}
