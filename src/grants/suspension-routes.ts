import { type RequestHandler, Router } from "express";
import { z } from "zod";
import { DNS1123_LABEL } from "../config/fields.ts";
import { getPrincipal } from "../http/principal.ts";
import { parseBody } from "../http/validate.ts";
import { Forbidden } from "../shared/errors.ts";
import type { Principal } from "../shared/principal.ts";
import { MAX_PRINCIPAL_NAME } from "./grant.ts";
import type { SuspensionService } from "./suspension-service.ts";
import type { Suspension } from "./suspension-store.ts";

const liftParams = z.strictObject({
  cluster: z.string().regex(DNS1123_LABEL, "must be a cluster name"),
  user: z.string().min(1).max(MAX_PRINCIPAL_NAME),
});

/** GET /suspensions (an admin sees all, anyone else their own), DELETE /suspensions/:cluster/:user (admins). */
export function suspensionRoutes(options: {
  suspensions: SuspensionService;
  requireSession: RequestHandler;
  isAdmin: (principal: Principal) => boolean;
}): Router {
  const { suspensions, requireSession, isAdmin } = options;
  const router = Router();

  router.get("/suspensions", requireSession, async (_req, res) => {
    const principal = getPrincipal(res);
    const all = await suspensions.list();
    const visible = isAdmin(principal) ? all : all.filter((s) => s.user === principal.name);
    res.json({ items: visible.map(suspensionView) });
  });

  router.delete("/suspensions/:cluster/:user", requireSession, async (req, res) => {
    const principal = getPrincipal(res);
    if (!isAdmin(principal)) throw new Forbidden("only admins can lift a suspension of standing access");
    const { cluster, user } = parseBody(liftParams, { ...req.params });
    res.json(suspensionView(await suspensions.lift(cluster, user, principal)));
  });

  return router;
}

/** A suspension as the API shows it: its time as RFC 3339. */
export function suspensionView(suspension: Suspension) {
  return {
    cluster: suspension.cluster,
    user: suspension.user,
    ...(suspension.subject ? { subject: suspension.subject } : {}),
    by: suspension.by,
    reason: suspension.reason,
    at: new Date(suspension.at).toISOString(),
    ...(suspension.alert ? { alert: suspension.alert } : {}),
  };
}

/** The JSON body of a suspension in API answers (the CLI reads it). */
export type SuspensionView = ReturnType<typeof suspensionView>;
