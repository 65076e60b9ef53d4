import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { RequestHandler } from "express";
import { Registry } from "prom-client";
import { type Audit, type AuditDeps, createAudit } from "../../../src/audit/index.ts";
import type { AuditConfig } from "../../../src/config/schema.ts";
import { createApp } from "../../../src/http/app.ts";
import { setPrincipal } from "../../../src/http/principal.ts";
import { systemClock } from "../../../src/shared/clock.ts";
import { silentLogger } from "../../../src/shared/logger.ts";
import type { RedisHarness } from "../../../tools/redis/redis-server.ts";

export const ADMIN = "admin@example.com";

/** The audit feature behind the real express app; `x-test-user` names the caller. */
export interface AuditApp {
  audit: Audit;
  url: string;
  metrics: Registry;
  headers(user: string): Record<string, string>;
  close(): Promise<void>;
}

export async function startAuditApp(
  redis: RedisHarness,
  config: AuditConfig,
  extra: Partial<AuditDeps> = {},
): Promise<AuditApp> {
  const metrics = new Registry();
  const audit = createAudit({
    redis: redis.client(),
    config,
    keyPrefix: redis.keyPrefix,
    clock: systemClock,
    logger: silentLogger(),
    metrics,
    ...extra,
  });
  await audit.start();
  const signIn: RequestHandler = (req, res, next) => {
    const name = req.get("x-test-user");
    if (name) setPrincipal(res, { kind: "user", subject: name, name, email: name, groups: [] });
    next();
  };
  const app = createApp({
    logger: silentLogger(),
    metrics,
    readiness: [],
    trustProxy: false,
    maxBodyBytes: 1024,
    api: audit.routes({
      requireSession: signIn,
      isAdmin: (principal) => principal.name === ADMIN,
      rateLimit: () => (_req, _res, next) => next(),
    }),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  return {
    audit,
    metrics,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    headers: (user) => ({ "x-test-user": user }),
    close: async () => {
      await audit.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
