import express, { type Express, type Router } from "express";
import type { Registry } from "prom-client";
import type { Logger } from "../shared/logger.ts";
import { healthRoutes, type ReadinessCheck } from "./health-routes.ts";
import { notFound, renderErrors } from "./render-error.ts";

export interface AppOptions {
  logger: Logger;
  metrics: Registry;
  readiness: ReadinessCheck[];
  /** Whether the broker is draining for shutdown (/readyz answers 503). */
  draining?: () => boolean;
  trustProxy: boolean;
  maxBodyBytes: number;
  /** Feature routers mounted under /v1. */
  api: Router[];
  /** Routers mounted at other paths (the web console at /ui): no JSON body parser, same error rendering. */
  mounts?: { path: string; router: Router }[];
}

/** The express app for the API, the web console and the health endpoints (the gateway is attached to the server). */
export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", options.trustProxy);
  app.use(healthRoutes({ checks: options.readiness, metrics: options.metrics, draining: options.draining }));
  const v1 = express.Router();
  v1.use(express.json({ limit: options.maxBodyBytes }));
  for (const router of options.api) v1.use(router);
  app.use("/v1", v1);
  for (const mount of options.mounts ?? []) app.use(mount.path, mount.router);
  app.use(notFound);
  app.use(renderErrors(options.logger));
  return app;
}
