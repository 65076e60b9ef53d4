import { readFileSync } from "node:fs";
import { Router } from "express";
import type { Config } from "../config/schema.ts";
import { clusterUrls } from "./cluster-urls.ts";

/**
 * GET /clusters: what the CLI needs to write a kubeconfig before anyone signs in — each
 * cluster's gateway URL (`server`, the prefix-free one when the broker offers it; `prefixed`,
 * /clusters/<name> on the broker, always) and the CA that signs the broker's certificate.
 * Nothing secret.
 */
export function clusterRoutes(config: Config): Router {
  const caData = config.server.caFile ? readFileSync(config.server.caFile).toString("base64") : undefined;
  const items = config.clusters.map((cluster) => ({
    name: cluster.name,
    ...clusterUrls(config, cluster),
    ...(caData ? { certificateAuthorityData: caData } : {}),
    tokenAudience: cluster.tokenAudience,
    defaultTokenTtlSeconds: cluster.tokenTtl,
  }));
  const router = Router();
  router.get("/clusters", (_req, res) => {
    res.json({ items });
  });
  return router;
}
