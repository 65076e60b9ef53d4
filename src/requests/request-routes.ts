import { type RequestHandler, Router } from "express";
import { z } from "zod";
import { getPrincipal } from "../http/principal.ts";
import { parseBody } from "../http/validate.ts";
import { parseDuration } from "../shared/duration.ts";
import { requestView } from "./access-request.ts";
import type { RequestService } from "./request-service.ts";

const name = z.string().min(1).max(63);
const createBody = z
  .strictObject({
    cluster: name,
    role: name,
    namespace: name.optional(),
    namespaces: z.array(name).max(50).optional(),
    duration: z.union([z.string(), z.number()]).transform((value, ctx) => {
      const seconds = parseDuration(value);
      if (seconds === undefined) {
        ctx.addIssue({ code: "custom", message: "expected a duration such as 30m or 2h" });
        return z.NEVER;
      }
      return seconds;
    }),
    reason: z.string().max(1024).default(""),
    /** An emergency: approved at once by the requester, where a rule allows break-glass. */
    breakGlass: z.boolean().default(false),
  })
  .refine((b) => !(b.namespace && b.namespaces), { message: "give namespace or namespaces, not both" });
const decisionBody = z.strictObject({ comment: z.string().max(1024).default("") });
const listQuery = z.strictObject({
  scope: z.enum(["mine", "review", "all"]).default("all"),
  state: z.enum(["pending", "approved", "denied", "expired", "canceled"]).optional(),
});

/** The access-request API, mounted under /v1; every route needs a broker session. */
export function requestRoutes(options: {
  requests: RequestService;
  requireSession: RequestHandler;
  limit: RequestHandler;
}): Router {
  const { requests, requireSession, limit } = options;
  const router = Router();

  router.post("/requests", requireSession, limit, async (req, res) => {
    const body = parseBody(createBody, req.body);
    const namespaces = body.namespaces ?? (body.namespace ? [body.namespace] : []);
    const created = await requests.create(getPrincipal(res), {
      cluster: body.cluster,
      role: body.role,
      namespaces,
      durationSeconds: body.duration,
      reason: body.reason,
      breakGlass: body.breakGlass,
    });
    res.status(201).json(requestView(created));
  });

  router.get("/requests", requireSession, async (req, res) => {
    const query = parseBody(listQuery, req.query);
    const items = await requests.list(getPrincipal(res), query.scope, query.state);
    res.json({ items: items.map(requestView) });
  });

  router.get("/requests/:id", requireSession, async (req, res) => {
    res.json(requestView(await requests.get(getPrincipal(res), String(req.params.id))));
  });

  router.post("/requests/:id/approve", requireSession, limit, async (req, res) => {
    const { comment } = parseBody(decisionBody, req.body);
    res.json(requestView(await requests.approve(getPrincipal(res), String(req.params.id), comment)));
  });

  router.post("/requests/:id/deny", requireSession, limit, async (req, res) => {
    const { comment } = parseBody(decisionBody, req.body);
    res.json(requestView(await requests.deny(getPrincipal(res), String(req.params.id), comment)));
  });

  router.post("/requests/:id/cancel", requireSession, limit, async (req, res) => {
    res.json(requestView(await requests.cancel(getPrincipal(res), String(req.params.id))));
  });

  return router;
}
