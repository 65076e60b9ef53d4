import type { IncomingMessage } from "node:http";
import type { RequestHandler } from "express";
import { setPrincipal } from "../http/principal.ts";
import { Unauthorized } from "../shared/errors.ts";
import { CONSOLE_COOKIE, readCookie } from "./console-cookie.ts";
import { checkCrossSite } from "./console-csrf.ts";
import type { SessionService } from "./session-service.ts";

/** The bearer secret of a request, if it sent one. */
export function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

/** The session secret a request presents, and how: a bearer (CLI, scripts) or the console cookie. */
export interface PresentedSession {
  secret: string;
  via: "bearer" | "cookie";
}

/**
 * An Authorization header decides alone (a bad one is not rescued by a cookie), so a CLI or
 * script never meets the browser's CSRF rules; only without one is the cookie looked at.
 */
export function presentedSession(req: IncomingMessage): PresentedSession | undefined {
  if (req.headers.authorization !== undefined) {
    const secret = bearerOf(req.headers.authorization);
    return secret ? { secret, via: "bearer" } : undefined;
  }
  const secret = readCookie(req.headers.cookie, CONSOLE_COOKIE);
  return secret ? { secret, via: "cookie" } : undefined;
}

/**
 * API routes behind this need a broker session; it sets the principal for getPrincipal().
 * A cookie-authenticated request that changes something must also pass the CSRF checks
 * (console-csrf.ts) before the session is even looked up.
 */
export function requireSession(sessions: SessionService, options: { publicUrl: string }): RequestHandler {
  const publicOrigin = new URL(options.publicUrl).origin;
  return (req, res, next) => {
    const presented = presentedSession(req);
    if (!presented) return next(new Unauthorized("sign in first: run kubectl broker login"));
    try {
      if (presented.via === "cookie") {
        const csrfToken = req.headers["x-csrf-token"];
        checkCrossSite(
          {
            method: req.method,
            origin: req.headers.origin,
            csrfToken: typeof csrfToken === "string" ? csrfToken : undefined,
          },
          presented.secret,
          publicOrigin,
        );
      }
    } catch (err) {
      return next(err);
    }
    sessions.authenticate(presented.secret).then((session) => {
      setPrincipal(res, session.principal);
      res.locals.sessionExpiresAt = session.expiresAt;
      next();
    }, next);
  };
}
