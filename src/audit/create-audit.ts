import { hostname } from "node:os";
import type { RequestHandler, Router } from "express";
import type { Registry } from "prom-client";
import type { AuditConfig } from "../config/schema.ts";
import type { Clock } from "../shared/clock.ts";
import { randomId } from "../shared/ids.ts";
import type { Logger } from "../shared/logger.ts";
import type { Principal } from "../shared/principal.ts";
import type { RedisClient } from "../shared/redis.ts";
import { auditKeys } from "./audit-keys.ts";
import { createAuditMetrics } from "./audit-metrics.ts";
import { dedicatedConnection, waitUntilReady } from "./connection.ts";
import { createExportSink, type ExportSink } from "./export-sinks.ts";
import { AuditExporter } from "./export-worker.ts";
import { createLifecycleSink } from "./lifecycle-sink.ts";
import { AuditQueryStore } from "./query.ts";
import type { LifecycleSink } from "./record.ts";
import { AuditRetention } from "./retention.ts";
import { auditRoutes } from "./routes.ts";
import { AuditTail } from "./tail.ts";
import { type AuditWriter, RedisAuditWriter } from "./writer.ts";

export interface CreateAuditOptions {
  /** The shared client (createRedis); the feature duplicates its own connections from it. */
  redis: RedisClient;
  config: AuditConfig;
  keyPrefix: string;
  clock: Clock;
  logger: Logger;
  metrics: Registry;
  isAdmin(principal: Principal): boolean;
  /** Overrides the configured export sink (tests); by default built from config.export. */
  exportSink?: ExportSink;
  /** Tuning, mostly for tests. */
  tuning?: { heartbeatMs?: number; retentionIntervalMs?: number; exportLeaseTtlMs?: number };
}

export interface Audit {
  writer: AuditWriter;
  lifecycle: LifecycleSink;
  /** GET /audit and /audit/stream behind the given session check; mount under /v1. */
  routes(requireSession: RequestHandler): Router;
  exporter: AuditExporter | undefined;
  /** Opens the spool (buffered mode) and starts replay, retention and export. */
  start(): Promise<void>;
  /** Ends live streams, finishes appends in flight, stops background work, closes connections. */
  stop(): Promise<void>;
}

/** The audit feature, wired: writer, lifecycle sink, read routes, retention and export. */
export function createAudit(options: CreateAuditOptions): Audit {
  const { config, logger, clock } = options;
  const log = logger.child({ feature: "audit" });
  const keys = auditKeys(options.keyPrefix);
  const metrics = createAuditMetrics(options.metrics);
  const holder = `${hostname()}-${process.pid}-${randomId(4)}`;
  const writeConnection = dedicatedConnection(options.redis);
  const tailConnection = dedicatedConnection(options.redis);

  const writer = new RedisAuditWriter({ redis: writeConnection, keys, config, metrics, logger: log });
  const store = new AuditQueryStore({ redis: options.redis, keys });
  const tail = new AuditTail({
    redis: options.redis,
    blocking: tailConnection,
    keys,
    logger: log,
    onSubscribersChanged: (count) => metrics.streamSubscribers.set(count),
  });
  const retention = new AuditRetention({
    redis: options.redis,
    keys,
    maxAgeSeconds: config.retention.maxAge,
    clock,
    logger: log,
    holder,
    ...(options.tuning?.retentionIntervalMs ? { intervalMs: options.tuning.retentionIntervalMs } : {}),
  });
  const sink = options.exportSink ?? createExportSink(config.export);
  const exportConnection = sink ? dedicatedConnection(options.redis) : undefined;
  const exporter =
    sink && exportConnection
      ? new AuditExporter({
          redis: options.redis,
          connection: exportConnection,
          keys,
          sink,
          metrics,
          logger: log,
          holder,
          ...(options.tuning?.exportLeaseTtlMs ? { leaseTtlMs: options.tuning.exportLeaseTtlMs } : {}),
        })
      : undefined;

  return {
    writer,
    lifecycle: createLifecycleSink({ writer, clock }),
    routes: (requireSession) =>
      auditRoutes({
        reader: { query: (query) => store.query(query), subscribe: (request) => tail.subscribe(request) },
        requireSession,
        isAdmin: options.isAdmin,
        clock,
        ...(options.tuning?.heartbeatMs ? { heartbeatMs: options.tuning.heartbeatMs } : {}),
      }),
    exporter,
    async start() {
      // Redis may be down at boot: fail-closed then refuses until it is up; buffered spools.
      await waitUntilReady(writeConnection, config.writeTimeout * 1000);
      await writer.start();
      retention.start();
      exporter?.start();
    },
    async stop() {
      // Blocking reads are cut by closing their connections rather than waited out.
      const stopped = [tail.stop(), exporter?.stop()];
      tailConnection.disconnect();
      exportConnection?.disconnect();
      await Promise.all(stopped);
      await retention.stop();
      await writer.stop();
      writeConnection.disconnect();
    },
  };
}
