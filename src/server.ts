/**
 * The composition root: config → adapters → features → the listener. Every feature gets its
 * collaborators here and nowhere else; each feature's index.ts wires its own parts.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Request, Response } from "express";
import { collectDefaultMetrics, Registry } from "prom-client";
import { createAudit } from "./audit/index.ts";
import { clusterRoutes } from "./cluster/cluster-routes.ts";
import { connectClusters } from "./cluster/index.ts";
import { loadConfig } from "./config/load.ts";
import type { ClusterConfig, Config } from "./config/schema.ts";
import { Gateway } from "./gateway/gateway.ts";
import { createGateway } from "./gateway/index.ts";
import type { ClusterApi } from "./grants/cluster-api.ts";
import { grantRoutes } from "./grants/grant-routes.ts";
import { createGrants } from "./grants/index.ts";
import { createApp } from "./http/app.ts";
import { listen } from "./http/listener.ts";
import { getPrincipal } from "./http/principal.ts";
import { byClient, RateLimiter } from "./http/rate-limit.ts";
import { createCiExchange } from "./identity/ci/index.ts";
import { createIdentity } from "./identity/index.ts";
import { entitlements, isAdmin } from "./policy/index.ts";
import { createNotifications, createRequests } from "./requests/index.ts";
import { type Clock, systemClock } from "./shared/clock.ts";
import { randomId } from "./shared/ids.ts";
import { createLogger, type Logger } from "./shared/logger.ts";
import type { Principal } from "./shared/principal.ts";
import { createRedis } from "./shared/redis.ts";

export interface Broker {
  server: Server;
  url: string;
  /** Runs one reconcile pass now (tests, and operators through a future admin endpoint). */
  reconcile(): Promise<unknown>;
  close(): Promise<void>;
}

export interface BrokerOptions {
  logger?: Logger;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  /** Replaces the Kubernetes adapter of a cluster (unit-level tests only). */
  clusterApi?: (cluster: ClusterConfig) => ClusterApi;
}

export async function startBroker(config: Config, options: BrokerOptions = {}): Promise<Broker> {
  const logger = options.logger ?? createLogger();
  const clock = options.clock ?? systemClock;
  const env = options.env ?? process.env;
  const keyPrefix = config.redis.keyPrefix;
  const replica = randomId(6);
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const redis = createRedis(config.redis, env);
  redis.on("error", (err: Error) => logger.warn({ err: err.message }, "redis connection error"));
  const admin = (principal: Principal) => isAdmin(config, principal);
  const limiter = new RateLimiter({ redis, keyPrefix });
  const { rateLimits } = config.limits;
  const byPrincipal = (_req: Request, res: Response) => `principal:${getPrincipal(res).subject}`;

  const audit = createAudit({
    redis,
    config: config.audit,
    keyPrefix,
    clock,
    logger,
    metrics,
    isAdmin: admin,
  });
  const notifications = createNotifications({ config, redis, audit: audit.lifecycle, logger, metrics, env });
  const lifecycle = notifications.lifecycle;
  const clusters = connectClusters(config, env, options.clusterApi);
  const grants = createGrants({
    config,
    clusters: new Map(clusters.map((c) => [c.config.name, { config: c.config, api: c.api }])),
    redis,
    replica,
    clock,
    lifecycle,
    logger,
    metrics,
  });
  const requests = createRequests({
    config,
    redis,
    notifications,
    grants: grants.grants,
    replica,
    clock,
    logger,
  });
  const identity = createIdentity({ config, redis, clock, lifecycle, logger, env, limiter });
  const session = identity.requireSession;
  const ci = createCiExchange({
    config,
    redis,
    keyPrefix,
    grants: grants.grants,
    credentials: grants.issuer,
    clock,
    logger,
    rateLimit: limiter.middleware("ci-exchange", rateLimits.token.perMinute, byClient),
  });
  const gateway = createGateway({
    config,
    clusters,
    store: grants.store,
    grants: grants.grants,
    issuer: grants.issuer,
    audit: audit.writer,
    clock,
    logger,
    metrics,
  });

  const app = createApp({
    logger,
    metrics,
    readiness: [
      { name: "redis", check: async () => void (await redis.ping()) },
      ...clusters.map((c) => c.readiness),
    ],
    trustProxy: config.server.trustProxy,
    maxBodyBytes: config.limits.maxBodyBytes,
    api: [
      clusterRoutes(config),
      ...identity.routes({ isAdmin: admin, entitlements: (p) => entitlements(config, p) }),
      gateway.routes,
      grantRoutes({
        access: grants.access,
        grants: grants.grants,
        requireSession: session,
        tokenLimit: limiter.middleware("token", rateLimits.token.perMinute, byPrincipal),
        isAdmin: admin,
      }),
      requests.routes({
        requireSession: session,
        limit: limiter.middleware("requests", rateLimits.requests.perMinute, byPrincipal),
      }),
      ci.routes,
      audit.routes(session),
    ],
  });

  await audit.start();
  await gateway.start();
  grants.start();
  requests.start();
  const { server, url } = await listen(
    config,
    (req: IncomingMessage, res: ServerResponse) => {
      if (Gateway.matches(req.url)) void gateway.gateway.handle(req, res);
      else app(req, res);
    },
    (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (Gateway.matches(req.url)) void gateway.gateway.handleUpgrade(req, socket, head);
      else socket.destroy();
    },
  );
  logger.info({ url, publicUrl: config.server.publicUrl, replica }, "kube-broker listening");

  return {
    server,
    url,
    reconcile: () => grants.reconciler.runOnce(),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.stop();
      server.closeAllConnections();
      await closed;
      await Promise.all([grants.stop(), requests.stop()]);
      await audit.stop();
      redis.disconnect();
    },
  };
}

/** `kube-broker serve`: run until SIGINT/SIGTERM, then drain. */
export async function serve(configFile: string): Promise<void> {
  const config = await loadConfig(configFile);
  const logger = createLogger();
  const broker = await startBroker(config, { logger });
  const stop = async (signal: string) => {
    logger.info({ signal }, "shutting down");
    await broker.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
