import { Router } from "express";
import { z } from "zod";
import { type Grant, grantView } from "../grants/index.ts";
import { parseBody } from "../http/validate.ts";
import { NotFound, Unauthorized } from "../shared/errors.ts";
import type { GatewayCluster } from "./admission.ts";
import type { GrantResolver } from "./grant-resolver.ts";

/** Ends a grant early (the grants feature). */
export interface GrantRevoker {
  revoke(id: string, by: string): Promise<Grant>;
}

const body = z.strictObject({ cluster: z.string().min(1).max(63) });

/**
 * POST /grants/self/revoke: whoever holds a grant's token may end that grant early — what a
 * CI job's always-run last step does, so access ends with the job, not at the deadline.
 */
export function selfRevokeRoutes(options: {
  clusters: Map<string, GatewayCluster>;
  resolver: GrantResolver;
  grants: GrantRevoker;
}): Router {
  const router = Router();
  router.post("/grants/self/revoke", async (req, res) => {
    const { cluster: name } = parseBody(body, req.body);
    const cluster = options.clusters.get(name);
    if (!cluster) throw new NotFound(`cluster "${name}" is not configured`);
    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")?.[1];
    if (!token) throw new Unauthorized("send the grant's own token as the bearer token");
    const identity = await cluster.authenticator.authenticate(token);
    const grant = await options.resolver.resolve(name, cluster.config.grantsNamespace, identity);
    const ended = await options.grants.revoke(grant.id, `its own token (${grant.principal.name})`);
    options.resolver.forget(grant.id);
    res.json(grantView(ended));
  });
  return router;
}
