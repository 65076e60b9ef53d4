import { Router } from "express";
import type { ApiContext } from "../../http/feature.ts";
import { getPrincipal } from "../../http/principal.ts";
import { Forbidden } from "../../shared/errors.ts";
import type { ReviewBuilder } from "./index.ts";

/**
 * GET /reports/review, mounted under /v1. Admins only, as a whole: the review lists everyone's
 * standing access and grants, and a partial review is not one anybody could sign off.
 */
export function reviewRoutes(options: { api: ApiContext; review: ReviewBuilder }): Router {
  const router = Router();
  router.get("/reports/review", options.api.requireSession, async (req, res) => {
    if (!options.api.isAdmin(getPrincipal(res))) throw new Forbidden("only admins can see the access review");
    res.json(await options.review.build(req.query));
  });
  return router;
}
