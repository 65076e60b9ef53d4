import { type RequestHandler, Router } from "express";
import { z } from "zod";
import { getPrincipal } from "../http/principal.ts";
import { parseBody } from "../http/validate.ts";
import { parseDuration } from "../shared/duration.ts";
import { Forbidden, NotFound } from "../shared/errors.ts";
import type { Principal } from "../shared/principal.ts";
import type { AccessService } from "./access-service.ts";
import type { GrantHistory, GrantService } from "./grant-service.ts";
import { grantView } from "./grant-view.ts";

const ttl = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const seconds = parseDuration(value);
  if (seconds === undefined || seconds === 0) {
    ctx.addIssue({ code: "custom", message: "expected a duration such as 30m or 2h" });
    return z.NEVER;
  }
  return seconds;
});

const credentialBody = z
  .strictObject({
    cluster: z.string().min(1).max(63),
    role: z.string().min(1).max(63),
    namespace: z.string().min(1).max(63).optional(),
    namespaces: z.array(z.string().min(1).max(63)).max(50).optional(),
    ttl: ttl.optional(),
  })
  .refine((b) => !(b.namespace && b.namespaces), { message: "give namespace or namespaces, not both" });

/** POST /credentials (the exec plugin's call), GET /grants, GET /grants/:id[/objects], DELETE /grants/:id. */
export function grantRoutes(options: {
  access: AccessService;
  grants: GrantService;
  history: GrantHistory;
  requireSession: RequestHandler;
  tokenLimit: RequestHandler;
  isAdmin: (principal: Principal) => boolean;
}): Router {
  const { access, grants, requireSession, isAdmin } = options;
  const router = Router();

  router.post("/credentials", requireSession, options.tokenLimit, async (req, res) => {
    const body = parseBody(credentialBody, req.body);
    const namespaces = body.namespaces ?? (body.namespace ? [body.namespace] : []);
    const result = await access.credential(
      getPrincipal(res),
      { cluster: body.cluster, role: body.role, namespaces },
      body.ttl,
    );
    res.json({
      token: result.token,
      expirationTimestamp: new Date(result.expiresAt).toISOString(),
      grant: grantView(result.grant),
    });
  });

  router.get("/grants", requireSession, async (req, res) => {
    const principal = getPrincipal(res);
    const includeEnded = req.query.all === "true";
    const everyone = req.query.scope === "all";
    if (everyone && !isAdmin(principal)) throw new Forbidden("only admins can list everyone's grants");
    const list = everyone
      ? await grants.listAll({ includeEnded })
      : (await grants.listByPrincipal(principal.subject)).filter((g) => includeEnded || g.state !== "ended");
    list.sort((a, b) => b.createdAt - a.createdAt);
    res.json({ items: list.map(grantView) });
  });

  router.get("/grants/:id", requireSession, async (req, res) => {
    res.json(grantView(await visibleGrant(grants, String(req.params.id), getPrincipal(res), isAdmin)));
  });

  // What was created through the grant, from its audit records: what its holder leaves behind.
  router.get("/grants/:id/objects", requireSession, async (req, res) => {
    const grant = await visibleGrant(grants, String(req.params.id), getPrincipal(res), isAdmin);
    res.json({ items: await options.history.objectsCreatedBy(grant.id, grant.createdAt) });
  });

  router.delete("/grants/:id", requireSession, async (req, res) => {
    const principal = getPrincipal(res);
    const grant = await visibleGrant(grants, String(req.params.id), principal, isAdmin);
    res.json(grantView(await grants.revoke(grant.id, principal.name)));
  });

  return router;
}

/** A grant the caller may see: their own, or any for an admin. Others' are "not found". */
async function visibleGrant(
  grants: GrantService,
  id: string,
  principal: Principal,
  isAdmin: (p: Principal) => boolean,
) {
  // Only "not found" reads as not found: a Redis failure surfaces (503), not as a missing grant.
  const grant = await grants.get(id);
  if (grant.principal.subject !== principal.subject && !isAdmin(principal)) {
    throw new NotFound(`grant "${id}" not found`);
  }
  return grant;
}
