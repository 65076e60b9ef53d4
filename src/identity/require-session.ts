import type { RequestHandler } from "express";
import { setPrincipal } from "../http/principal.ts";
import { Unauthorized } from "../shared/errors.ts";
import type { SessionService } from "./session-service.ts";

/** The bearer secret of a request, if it sent one. */
export function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

/** API routes behind this need a broker session; it sets the principal for getPrincipal(). */
export function requireSession(sessions: SessionService): RequestHandler {
  return (req, res, next) => {
    const secret = bearerOf(req.headers.authorization);
    if (!secret) return next(new Unauthorized("sign in first: run kubectl broker login"));
    sessions.authenticate(secret).then((session) => {
      setPrincipal(res, session.principal);
      res.locals.sessionExpiresAt = session.expiresAt;
      next();
    }, next);
  };
}
