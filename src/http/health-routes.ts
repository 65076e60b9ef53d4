import { Router } from "express";
import type { Registry } from "prom-client";
import { versionInfo } from "../shared/version.ts";

/** Something /readyz waits on: Redis, each cluster. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2000;

export function healthRoutes(options: {
  checks: ReadinessCheck[];
  metrics: Registry;
  /** True once the broker is shutting down: not ready, whatever the checks say. */
  draining?: () => boolean;
}): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.type("text/plain").send("ok");
  });
  router.get("/readyz", async (_req, res) => {
    if (options.draining?.()) {
      res.status(503).json({ ready: false, draining: true, checks: [] });
      return;
    }
    const results = await Promise.all(
      options.checks.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), CHECK_TIMEOUT_MS);
          return { name, ok: true as const };
        } catch (err) {
          return { name, ok: false as const, error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
    const ready = results.every((r) => r.ok);
    res.status(ready ? 200 : 503).json({ ready, checks: results });
  });
  // Unauthenticated like /healthz: what is running, for people and for `kubectl broker version`.
  router.get("/version", (_req, res) => {
    res.set("cache-control", "no-store").json(versionInfo("kube-broker"));
  });
  router.get("/metrics", async (_req, res) => {
    res.type(options.metrics.contentType).send(await options.metrics.metrics());
  });
  return router;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
