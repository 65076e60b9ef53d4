/**
 * The composition root: config → adapters → services → servers. Every feature gets its
 * collaborators here and nowhere else.
 */
import { readFileSync } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import { VersionApi } from "@kubernetes/client-node";
import type { Request, Response } from "express";
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { createAudit } from "./audit/index.ts";
import { clusterRoutes } from "./cluster/cluster-routes.ts";
import { loadKubeConfig } from "./cluster/kubeconfig.ts";
import { KubernetesCluster } from "./cluster/kubernetes-cluster.ts";
import { loadConfig } from "./config/load.ts";
import type { ClusterConfig, Config } from "./config/schema.ts";
import { readSecret } from "./config/secrets.ts";
import type { GatewayCluster } from "./gateway/admission.ts";
import { ConnectionRegistry } from "./gateway/connections.ts";
import { Gateway } from "./gateway/gateway.ts";
import { gatewayCluster } from "./gateway/gateway-cluster.ts";
import { createGatewayMetrics } from "./gateway/gateway-metrics.ts";
import { GrantResolver } from "./gateway/grant-resolver.ts";
import { selfRevokeRoutes } from "./gateway/self-revoke-routes.ts";
import { AccessService } from "./grants/access-service.ts";
import type { ClusterApi } from "./grants/cluster-api.ts";
import { CredentialIssuer } from "./grants/credentials.ts";
import { ExpiryWorker } from "./grants/expiry-worker.ts";
import type { GrantCluster } from "./grants/grant-cluster.ts";
import { grantRoutes } from "./grants/grant-routes.ts";
import { GrantService } from "./grants/grant-service.ts";
import { Reconciler } from "./grants/reconciler.ts";
import { RedisGrantStore } from "./grants/redis-grant-store.ts";
import { createApp } from "./http/app.ts";
import { getPrincipal } from "./http/principal.ts";
import { byClient, RateLimiter } from "./http/rate-limit.ts";
import { createCiExchange } from "./identity/ci/index.ts";
import { loginRoutes } from "./identity/login-routes.ts";
import { LoginService } from "./identity/login-service.ts";
import { LoginStore } from "./identity/login-store.ts";
import { OpenIdOidcClient } from "./identity/openid-oidc-client.ts";
import { requireSession } from "./identity/require-session.ts";
import { sessionRoutes } from "./identity/session-routes.ts";
import { SessionService } from "./identity/session-service.ts";
import { SessionStore } from "./identity/session-store.ts";
import { entitlements, isAdmin } from "./policy/index.ts";
import { WebhookNotifier } from "./requests/notifier.ts";
import { notifyingLifecycle } from "./requests/notifying-lifecycle.ts";
import { RedisRequestStore } from "./requests/redis-request-store.ts";
import { RequestExpiry } from "./requests/request-expiry.ts";
import { requestRoutes } from "./requests/request-routes.ts";
import { RequestService } from "./requests/request-service.ts";
import { type Clock, systemClock } from "./shared/clock.ts";
import { randomId } from "./shared/ids.ts";
import { Lease } from "./shared/lease.ts";
import { createLogger, type Logger } from "./shared/logger.ts";
import type { Principal } from "./shared/principal.ts";
import { createRedis, keyspace } from "./shared/redis.ts";

export interface Broker {
  server: Server;
  url: string;
  /** For tests: run one reconcile pass now. */
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

  const audit = createAudit({
    redis,
    config: config.audit,
    keyPrefix,
    clock,
    logger,
    metrics,
    isAdmin: admin,
  });
  const notifier = new WebhookNotifier({
    webhooks: config.notifications.webhooks.map(({ urlEnv, url, ...webhook }) => ({
      ...webhook,
      url: url ?? readSecret({ env: urlEnv }, `notifications webhook "${webhook.name}"`, env)!,
    })),
    settings: config.notifications,
    logger,
    metrics,
  });
  const requestStore = new RedisRequestStore({ redis, keyPrefix });
  const lifecycle = notifyingLifecycle({ audit: audit.lifecycle, requests: requestStore, notifier });

  // Clusters: the grants adapter and the gateway's view of each.
  const grantClusters = new Map<string, GrantCluster>();
  const gatewayClusters = new Map<string, GatewayCluster>();
  const readiness = [{ name: "redis", check: async () => void (await redis.ping()) }];
  for (const cluster of config.clusters) {
    const kubeConfig = loadKubeConfig(cluster, env);
    const api = options.clusterApi?.(cluster) ?? new KubernetesCluster({ name: cluster.name, kubeConfig });
    grantClusters.set(cluster.name, { config: cluster, api });
    gatewayClusters.set(cluster.name, gatewayCluster(cluster, kubeConfig));
    const version = kubeConfig.makeApiClient(VersionApi);
    readiness.push({ name: `cluster/${cluster.name}`, check: async () => void (await version.getCode()) });
  }

  // Grants.
  const grantStore = new RedisGrantStore({ redis, keyPrefix });
  const grants = new GrantService({
    store: grantStore,
    clusters: grantClusters,
    roles: config.roles,
    clock,
    lifecycle,
    logger,
  });
  const issuer = new CredentialIssuer({ clusters: grantClusters, clock, lifecycle, logger });
  const access = new AccessService({ config, grants, store: grantStore, issuer, now: () => clock.now() });
  const expiry = new ExpiryWorker({ store: grantStore, grants, clock, logger });
  const reconciler = new Reconciler({
    store: grantStore,
    grants,
    clusters: grantClusters,
    lease: new Lease({
      redis,
      key: keyspace(keyPrefix, "grants")("reconcile-lease"),
      ttlMs: 30_000,
      holder: replica,
    }),
    clock,
    logger,
  });
  new Gauge({
    name: "kube_broker_grants_open",
    help: "Grants not yet ended (active or being provisioned), across all replicas.",
    registers: [metrics],
    async collect() {
      this.set((await grantStore.listOpen().catch(() => [])).length);
    },
  });

  // Just-in-time access requests.
  const requests = new RequestService({
    config,
    store: requestStore,
    grants,
    clock,
    lifecycle,
    notifier,
    logger,
  });
  const requestExpiry = new RequestExpiry({
    requests,
    lease: new Lease({
      redis,
      key: keyspace(keyPrefix, "requests")("expiry-lease"),
      ttlMs: 10_000,
      holder: replica,
    }),
    logger,
  });

  // People and CI jobs.
  const oidc = new OpenIdOidcClient({
    settings: config.oidc,
    clientSecret: readSecret(
      { env: config.oidc.clientSecretEnv, file: config.oidc.clientSecretFile },
      "oidc client secret",
      env,
    ),
  });
  const sessions = new SessionService({
    store: new SessionStore({ redis, keyPrefix }),
    oidc,
    settings: config.oidc,
    clock,
    lifecycle,
    logger,
  });
  const login = new LoginService({
    oidc,
    store: new LoginStore({ redis, keyPrefix }),
    sessions,
    settings: config.oidc,
    publicUrl: config.server.publicUrl,
    logger,
  });
  const limiter = new RateLimiter({ redis, keyPrefix });
  const { rateLimits } = config.limits;
  const session = requireSession(sessions);
  const byPrincipal = (_req: Request, res: Response) => `principal:${getPrincipal(res).subject}`;
  const ci = createCiExchange({
    config,
    redis,
    keyPrefix,
    grants,
    credentials: issuer,
    clock,
    logger,
    rateLimit: limiter.middleware("ci-exchange", rateLimits.token.perMinute, byClient),
  });

  // The gateway, and what makes it cut connections when a grant ends anywhere.
  const resolver = new GrantResolver({ store: grantStore, now: () => clock.now() });
  const connections = new ConnectionRegistry();
  const gateway = new Gateway({
    clusters: gatewayClusters,
    resolver,
    credentials: issuer,
    audit: audit.writer,
    connections,
    metrics: createGatewayMetrics(metrics, () => connections.open),
    logger,
    trustProxy: config.server.trustProxy,
  });
  const unsubscribe = await grantStore.subscribeEnded(
    (grantId) => {
      resolver.forget(grantId);
      issuer.forget(grantId);
      connections.closeGrant(grantId);
    },
    () => resolver.forget(),
  );

  const app = createApp({
    logger,
    metrics,
    readiness,
    trustProxy: config.server.trustProxy,
    maxBodyBytes: config.limits.maxBodyBytes,
    api: [
      clusterRoutes(config),
      loginRoutes({ login, limit: limiter.middleware("login", rateLimits.login.perMinute, byClient) }),
      sessionRoutes({
        sessions,
        requireSession: session,
        isAdmin: admin,
        entitlements: (p) => entitlements(config, p),
      }),
      selfRevokeRoutes({ clusters: gatewayClusters, resolver, grants }),
      grantRoutes({
        access,
        grants,
        requireSession: session,
        tokenLimit: limiter.middleware("token", rateLimits.token.perMinute, byPrincipal),
        isAdmin: admin,
      }),
      requestRoutes({
        requests,
        requireSession: session,
        limit: limiter.middleware("requests", rateLimits.requests.perMinute, byPrincipal),
      }),
      ci.routes,
      audit.routes(session),
    ],
  });

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (Gateway.matches(req.url)) void gateway.handle(req, res);
    else app(req, res);
  };
  const httpOptions = { maxHeaderSize: config.limits.maxHeaderBytes };
  const server = config.server.tls
    ? createHttpsServer(
        {
          ...httpOptions,
          cert: readFileSync(config.server.tls.certFile),
          key: readFileSync(config.server.tls.keyFile),
        },
        onRequest,
      )
    : createHttpServer(httpOptions, onRequest);
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (Gateway.matches(req.url)) void gateway.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  // Receiving a request has a time limit; answering one (watch, logs, exec) does not.
  server.requestTimeout = config.limits.requestTimeout * 1000;
  server.headersTimeout = Math.min(60_000, server.requestTimeout);

  await audit.start();
  expiry.start();
  reconciler.start();
  requestExpiry.start();

  const { host, port } = splitListen(config.server.listen);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  const url = `${config.server.tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${actualPort}`;
  logger.info({ url, publicUrl: config.server.publicUrl, replica }, "kube-broker listening");

  return {
    server,
    url,
    reconcile: () => reconciler.runOnce(),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        connections.closeAll();
        server.closeAllConnections();
      });
      gateway.close();
      await Promise.all([expiry.stop(), reconciler.stop(), requestExpiry.stop(), unsubscribe()]);
      await notifier.drain();
      await audit.stop();
      redis.disconnect();
    },
  };
}

function splitListen(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(":");
  return { host: listen.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(listen.slice(at + 1)) };
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
