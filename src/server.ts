/**
 * The composition root: config → adapters → features → the listener. Every feature gets its
 * collaborators here and nowhere else; each feature's index.ts wires its own parts and
 * returns the same shape (routes, start, stop) plus what other features may use.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { collectDefaultMetrics, Registry } from "prom-client";
import { createAlertDelivery, createAlertResponder, createAlerts } from "./alerts/index.ts";
import { createAudit } from "./audit/index.ts";
import { createClusters } from "./cluster/index.ts";
import { loadConfig } from "./config/load.ts";
import type { Config } from "./config/schema.ts";
import { createConsole } from "./console/index.ts";
import { createGateway } from "./gateway/index.ts";
import { createGrants, type ReconcileReport } from "./grants/index.ts";
import { createApp } from "./http/app.ts";
import { Drain } from "./http/drain.ts";
import type { ApiContext, Feature } from "./http/feature.ts";
import { listen } from "./http/listener.ts";
import { RateLimiter } from "./http/rate-limiter.ts";
import { createCiExchange } from "./identity/ci/index.ts";
import { createIdentity } from "./identity/index.ts";
import { createOnCall } from "./oncall/index.ts";
import { isAdmin } from "./policy/index.ts";
import { createRecordings } from "./recording/index.ts";
import { createReports } from "./reports/index.ts";
import { createRequests } from "./requests/index.ts";
import { type Clock, systemClock } from "./shared/clock.ts";
import { randomId } from "./shared/ids.ts";
import { createLogger, type Logger } from "./shared/logger.ts";
import { createRedis } from "./shared/redis.ts";

export interface Broker {
  server: Server;
  url: string;
  /** The prefix-free gateway listener's URL, when server.gateway configures one. */
  gatewayUrl: string | undefined;
  /** Runs one reconcile pass now (tests, and operators through a future admin endpoint). */
  reconcile(): Promise<ReconcileReport>;
  /**
   * A graceful stop (http/drain.ts): not ready at once, no new connections, requests under
   * way finish within server.drainTimeout, streams end with a reason, the audit flushes.
   */
  close(): Promise<void>;
}

export interface BrokerOptions {
  logger?: Logger;
  /** Time for everything the broker decides (deadlines, expiry, records); tests move it forward. */
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  /** The built web console's directory, instead of the one next to the code (tests). */
  consoleDir?: string;
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

  const audit = createAudit({ redis, config: config.audit, keyPrefix, clock, logger, metrics });
  const lifecycle = audit.lifecycle;
  const clusters = createClusters({ config, env });
  const grants = createGrants({
    config,
    clusters: clusters.byName,
    redis,
    replica,
    clock,
    lifecycle,
    history: audit,
    logger,
    metrics,
  });
  // Started before requests, so a request made at once already knows who is on call.
  const onCall = createOnCall({ config, redis, clock, logger, metrics, env });
  const requests = createRequests({
    config,
    redis,
    grants,
    lifecycle,
    replica,
    clock,
    logger,
    metrics,
    env,
    onCall,
  });
  // The console's Reports and Alerts pages show because both features are composed below.
  const consoleFeatures = { reports: true, alerts: true };
  const identity = createIdentity({ config, redis, clock, lifecycle, logger, env, consoleFeatures });
  const ci = createCiExchange({ config, redis, keyPrefix, grants, credentials: grants, clock, logger });
  const recordings = createRecordings({
    config,
    redis,
    clock,
    logger,
    metrics,
    lifecycle,
    exportSink: audit.exportSink,
    replica,
  });
  const gateway = createGateway({
    config,
    clusters: clusters.all,
    grants,
    audit: audit.writer,
    recordings: recordings.sessions,
    clock,
    logger,
    metrics,
  });
  // Started in this order, stopped in reverse: the audit writer is up before anything is
  // recorded, and the gateway, which holds the clients' connections, stops first.
  const reports = createReports({
    config,
    redis,
    replica,
    clock,
    logger,
    metrics,
    clusters: clusters.byName,
    grants,
    recorder: lifecycle,
    notifier: requests.notifier,
  });
  const alerts = createAlerts({
    config,
    redis,
    replica,
    clock,
    logger,
    metrics,
    lifecycle,
    delivery: createAlertDelivery({ config, redis, notifier: requests.notifier, clock, logger }),
    // The grants feature ends grants and suspends standing access; identity ends sessions.
    responder: createAlertResponder({
      grants,
      sessions: identity,
      standing: grants,
      lifecycle,
      clock,
      logger,
    }),
  });
  const webConsole = createConsole({
    config,
    signIn: identity.consoleSignIn,
    ...(options.consoleDir ? { dir: options.consoleDir } : {}),
  });
  const features: Feature[] = [
    audit,
    clusters,
    grants,
    onCall,
    requests,
    identity,
    ci,
    reports,
    alerts,
    recordings,
    webConsole,
    gateway,
  ];

  const limiter = new RateLimiter({ redis, keyPrefix, clock });
  const api: ApiContext = {
    requireSession: identity.requireSession,
    isAdmin: (principal) => isAdmin(config, principal),
    rateLimit: (bucket, perMinute, per) => limiter.middleware(bucket, perMinute, per),
  };
  const drain = new Drain();
  const app = createApp({
    logger,
    metrics,
    draining: () => drain.draining,
    readiness: [{ name: "redis", check: async () => void (await redis.ping()) }, ...clusters.readiness],
    trustProxy: config.server.trustProxy,
    maxBodyBytes: config.limits.maxBodyBytes,
    api: features.flatMap((feature) => feature.routes(api)),
    mounts: [{ path: "/ui", router: webConsole.uiRoutes(api) }],
  });

  const started: Feature[] = [];
  let listening: Awaited<ReturnType<typeof listenBoth>>;
  try {
    for (const feature of features) {
      started.push(feature);
      await feature.start();
    }
    listening = await listenBoth(config, drain, gateway, app);
  } catch (err) {
    // A start that fails half-way (Redis timed out, a port taken) stops what it had started,
    // the failing feature too: its timers and connections would otherwise keep the process
    // alive, working for a broker that never came up.
    for (const feature of started.reverse()) await feature.stop().catch(() => {});
    redis.disconnect();
    throw err;
  }
  const { server, url, prefixFree } = listening;
  logger.info(
    { url, gatewayUrl: prefixFree?.url, publicUrl: config.server.publicUrl, replica },
    "kube-broker listening",
  );

  return {
    server,
    url,
    gatewayUrl: prefixFree?.url,
    reconcile: () => grants.reconcile(),
    close: async () => {
      // Stop taking work and let what is under way finish, then stop the features in reverse:
      // the gateway first, the audit writer (which flushes) last.
      const drained = await drain.drain(prefixFree ? [server, prefixFree.server] : [server], {
        timeoutMs: config.server.drainTimeout * 1000,
        delayMs: config.server.drainDelay * 1000,
        endStreams: () => gateway.endStreams(),
      });
      logger.info(drained, "listener drained");
      for (const feature of [...features].reverse()) await feature.stop();
      redis.disconnect();
    },
  };
}

/** The broker's listener, and the prefix-free gateway's when configured; neither if one fails. */
async function listenBoth(
  config: Config,
  drain: Drain,
  gateway: ReturnType<typeof createGateway>,
  app: (req: IncomingMessage, res: ServerResponse) => void,
) {
  const main = await listen(
    config,
    config.server.listen,
    (req: IncomingMessage, res: ServerResponse) => {
      drain.track(req, res);
      if (gateway.serves(req.url)) gateway.handle(req, res);
      else app(req, res);
    },
    (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (gateway.serves(req.url)) gateway.handleUpgrade(req, socket, head);
      else socket.destroy();
    },
  );
  const gatewayListen = config.server.gateway?.listen;
  if (!gatewayListen) return { ...main, prefixFree: undefined };
  try {
    const prefixFree = await listen(
      config,
      gatewayListen,
      (req: IncomingMessage, res: ServerResponse) => {
        drain.track(req, res);
        gateway.prefixFree.handle(req, res);
      },
      (req: IncomingMessage, socket: Duplex, head: Buffer) =>
        gateway.prefixFree.handleUpgrade(req, socket, head),
    );
    return { ...main, prefixFree };
  } catch (err) {
    main.server.close();
    throw err;
  }
}

/** `kube-broker serve`: run until SIGINT/SIGTERM, then drain and exit 0 (a second signal kills). */
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
