import { type RequestHandler, Router } from "express";
import { z } from "zod";
import { getPrincipal } from "../http/principal.ts";
import { parseBody } from "../http/validate.ts";
import { Forbidden } from "../shared/errors.ts";
import type { Principal } from "../shared/principal.ts";
import { bearerOf } from "./require-session.ts";
import type { SessionService } from "./session-service.ts";

const revokeBody = z.strictObject({ subject: z.string().min(1).max(512) });

/** whoami, logout, and an admin's revoke of all of a person's sessions. */
export function sessionRoutes(options: {
  sessions: SessionService;
  requireSession: RequestHandler;
  isAdmin: (principal: Principal) => boolean;
  entitlements: (principal: Principal) => unknown;
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

  router.post("/logout", requireSession, async (req, res) => {
    await sessions.logout(bearerOf(req.headers.authorization)!);
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
