import { type RequestHandler, Router } from "express";
import { z } from "zod";
import { getPrincipal } from "../http/principal.ts";
import { parseBody } from "../http/validate.ts";
import { Forbidden } from "../shared/errors.ts";
import type { Principal } from "../shared/principal.ts";
import { clearedConsoleCookie } from "./console-cookie.ts";
import { csrfTokenFor } from "./console-csrf.ts";
import { presentedSession } from "./require-session.ts";
import type { SessionService } from "./session-service.ts";

/** Which optional console pages have an API behind them (the composition root knows). */
export interface ConsoleFeatures {
  reports: boolean;
  alerts: boolean;
}

const revokeBody = z.strictObject({ subject: z.string().min(1).max(512) });

/** whoami, the console's session, logout, and an admin's revoke of all of a person's sessions. */
export function sessionRoutes(options: {
  sessions: SessionService;
  requireSession: RequestHandler;
  isAdmin: (principal: Principal) => boolean;
  entitlements: (principal: Principal) => unknown;
  consoleFeatures: ConsoleFeatures;
  /** Whether cookies are set with Secure (the broker is reached over https). */
  secureCookies: boolean;
}): Router {
  const { sessions, requireSession, isAdmin } = options;
  const router = Router();

  router.get("/whoami", requireSession, (_req, res) => {
    const principal = getPrincipal(res);
    res.json({
      principal,
      admin: isAdmin(principal),
      sessionExpiresAt: new Date(res.locals.sessionExpiresAt as number).toISOString(),
      entitlements: options.entitlements(principal),
    });
  });

  // What the console asks on boot. The CSRF token is only readable by a same-origin page,
  // which is the point; no-store keeps it out of every cache.
  router.get("/console/session", requireSession, (req, res) => {
    const principal = getPrincipal(res);
    res.setHeader("Cache-Control", "no-store");
    res.json({
      principal,
      admin: isAdmin(principal),
      expiresAt: new Date(res.locals.sessionExpiresAt as number).toISOString(),
      csrfToken: csrfTokenFor(presentedSession(req)!.secret),
      features: options.consoleFeatures,
    });
  });

  router.post("/logout", requireSession, async (req, res) => {
    const presented = presentedSession(req)!;
    await sessions.logout(presented.secret);
    if (presented.via === "cookie") res.setHeader("Set-Cookie", clearedConsoleCookie(options.secureCookies));
    res.status(204).end();
  });

  router.post("/sessions/revoke", requireSession, async (req, res) => {
    const admin = getPrincipal(res);
    if (!isAdmin(admin)) throw new Forbidden("only admins can end other people's sessions");
    const { subject } = parseBody(revokeBody, req.body);
    res.json({ subject, revoked: await sessions.revokeAllOf(subject, admin) });
  });

  return router;
}
