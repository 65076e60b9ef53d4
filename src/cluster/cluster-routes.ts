import { readFileSync } from "node:fs";
import { Router } from "express";
import type { Config } from "../config/schema.ts";

/**
 * GET /clusters: what the CLI needs to write a kubeconfig before anyone signs in — each
 * cluster's gateway URL and the CA that signs the broker's certificate. Nothing secret.
 */
export function clusterRoutes(config: Config): Router {
  const caData = config.server.caFile ? readFileSync(config.server.caFile).toString("base64") : undefined;
  const items = config.clusters.map((cluster) => ({
    name: cluster.name,
    server: new URL(`clusters/${cluster.name}`, withSlash(config.server.publicUrl)).href,
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

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}
