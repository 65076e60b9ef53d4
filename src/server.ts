/**
 * The composition root: config → adapters → services → servers. Every feature gets its
 * collaborators here and nowhere else.
 */
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { collectDefaultMetrics, Registry } from "prom-client";
import { loadConfig } from "./config/load.ts";
import type { Config } from "./config/schema.ts";
import { createApp } from "./http/app.ts";
import { createLogger, type Logger } from "./shared/logger.ts";
import { createRedis } from "./shared/redis.ts";

export interface Broker {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startBroker(config: Config, options: { logger?: Logger } = {}): Promise<Broker> {
  const logger = options.logger ?? createLogger();
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const redis = createRedis(config.redis);
  redis.on("error", (err: Error) => logger.warn({ err: err.message }, "redis connection error"));

  const app = createApp({
    logger,
    metrics,
    trustProxy: config.server.trustProxy,
    maxBodyBytes: config.limits.maxBodyBytes,
    readiness: [{ name: "redis", check: async () => void (await redis.ping()) }],
    api: [],
  });

  const httpOptions = { maxHeaderSize: config.limits.maxHeaderBytes };
  const server = config.server.tls
    ? createHttpsServer(
        {
          ...httpOptions,
          cert: readFileSync(config.server.tls.certFile),
          key: readFileSync(config.server.tls.keyFile),
        },
        app,
      )
    : createHttpServer(httpOptions, app);
  server.requestTimeout = config.limits.requestTimeout * 1000;
  const { host, port } = splitListen(config.server.listen);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  const url = `${config.server.tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${actualPort}`;
  logger.info({ url, publicUrl: config.server.publicUrl }, "kube-broker listening");

  return {
    server,
    url,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
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
