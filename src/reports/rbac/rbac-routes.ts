import { type RequestHandler, Router } from "express";
import { z } from "zod";
import { getPrincipal } from "../../http/principal.ts";
import { parseBody } from "../../http/validate.ts";
import { Forbidden, Invalid } from "../../shared/errors.ts";
import type { Principal } from "../../shared/principal.ts";
import type { RbacScanner, ReportCluster } from "./rbac-scanner.ts";

const QUERY = z.strictObject({ cluster: z.string().min(1, "name a cluster: ?cluster=NAME") });

/**
 * GET /reports/rbac?cluster=C, to be mounted under /v1: a fresh scan of that cluster. Admins
 * only: it shows who can do what across the whole cluster.
 */
export function rbacRoutes(options: {
  scanner: RbacScanner;
  clusters: ReadonlyMap<string, ReportCluster>;
  requireSession: RequestHandler;
  isAdmin(principal: Principal): boolean;
}): Router {
  const router = Router();
  router.get("/reports/rbac", options.requireSession, async (req, res) => {
    if (!options.isAdmin(getPrincipal(res)))
      throw new Forbidden("only admins can see a cluster's RBAC report");
    const { cluster: name } = parseBody(QUERY, req.query);
    const cluster = options.clusters.get(name);
    if (!cluster) {
      const known = [...options.clusters.keys()].join(", ");
      throw new Invalid(`cluster "${name}" is not configured; the clusters are: ${known}`);
    }
    res.json(await options.scanner.scan(cluster));
  });
  return router;
}
