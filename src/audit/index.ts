/**
 * The audit trail: every gateway request and lifecycle event as a record in a Redis stream
 * (DESIGN.md "Audit record"), written before the request goes upstream.
 *
 * It owns the stream, split into `audit.shards` streams (audit-keys.ts: shard 0 under the
 * {audit} hash tag, the others under tags spread over the slot range), and three paths over them:
 * - write/: the writer, fail-closed (Redis acknowledged it, or 503) or buffered (Redis, or a
 *   bounded local spool replayed in order once Redis is back); the lifecycle sink on top;
 * - read/: GET /v1/audit (filtered, the shards merged in time order, paged by a cursor
 *   holding a stream id per shard) and the live /v1/audit/stream (SSE);
 * - export/: delivery to a sink (stdout, file, webhook) at least once and in order per
 *   shard, each shard under a lease; plus retention, trimming records older than maxAge
 *   under a lease.
 * Each path has a Redis connection of its own, so a blocking read never delays a write.
 */
import { hostname } from "node:os";
import type { Registry } from "prom-client";
import type { AuditConfig } from "../config/schema.ts";
import type { Feature } from "../http/feature.ts";
import type { Clock } from "../shared/clock.ts";
import { randomId } from "../shared/ids.ts";
import type { Logger } from "../shared/logger.ts";
import type { RedisClient } from "../shared/redis.ts";
import { auditKeys } from "./audit-keys.ts";
import { createAuditMetrics } from "./audit-metrics.ts";
import { AuditRetention } from "./audit-retention.ts";
import { dedicatedConnection, waitUntilReady } from "./connection.ts";
import { AuditExporter } from "./export/audit-exporter.ts";
import { createExportSink, type ExportSink, oneBatchAtATime } from "./export/export-sinks.ts";
import { AuditQueryStore } from "./read/audit-query-store.ts";
import { auditRoutes } from "./read/audit-routes.ts";
import { AuditTail } from "./read/audit-tail.ts";
import { type CreatedObject, objectsCreatedBy } from "./read/created-objects.ts";
import type { LifecycleEvents } from "./record.ts";
import type { AuditWriter } from "./write/audit-writer.ts";
import { createLifecycleSink } from "./write/lifecycle-sink.ts";
import { RedisAuditWriter } from "./write/redis-audit-writer.ts";

export { type AuditKeys, auditKeys } from "./audit-keys.ts";
export type { ExportedRecording, ExportSink } from "./export/export-sinks.ts";
export type { CreatedObject } from "./read/created-objects.ts";
export { invalid as invalidParam, parseTime } from "./read/query-params.ts";
export { type EventStream, openEventStream } from "./read/sse.ts";
export type {
  AuditDecision,
  AuditRecord,
  GrantKind,
  LifecycleAuditRecord,
  LifecycleEvent,
  LifecycleEventName,
  LifecycleEvents,
  LifecycleSink,
  RequestAuditRecord,
} from "./record.ts";
export type { AuditEntry } from "./record-fields.ts";
export { compareStreamIds, parseEntries, parseStreamId, type RawEntry } from "./stream-ids.ts";
export type { AuditWriter } from "./write/audit-writer.ts";

export interface AuditDeps {
  /** The shared client (createRedis); the feature duplicates its own connections from it. */
  redis: RedisClient;
  config: AuditConfig;
  keyPrefix: string;
  clock: Clock;
  logger: Logger;
  metrics: Registry;
  /** Replaces the configured export sink (tests); by default built from config.export. */
  exportSink?: ExportSink;
  /** How often a live stream sends a heartbeat (tests); 15 s by default. */
  heartbeatMs?: number;
}

export interface Audit extends Feature {
  /** For the gateway: request records, accepted or refused per the configured mode. */
  writer: AuditWriter;
  /** For every feature: lifecycle events (login, grants, requests) as records, with listeners. */
  lifecycle: LifecycleEvents;
  /** Objects created through a grant since `since` (ms), from its audit records. */
  objectsCreatedBy(grantId: string, since: number): Promise<CreatedObject[]>;
  /** The configured export sink, one delivery at a time (session recordings go there too). */
  exportSink: ExportSink | undefined;
}

export function createAudit(deps: AuditDeps): Audit {
  const { config, clock } = deps;
  const logger = deps.logger.child({ feature: "audit" });
  const keys = auditKeys(deps.keyPrefix, config.shards);
  const metrics = createAuditMetrics(deps.metrics);
  const holder = `${hostname()}-${process.pid}-${randomId(4)}`;
  const writeConnection = dedicatedConnection(deps.redis);
  // Blocking reads, one connection per shard: on a Cluster one XREAD cannot span slots.
  const tailConnections = keys.shards.map(() => dedicatedConnection(deps.redis));

  const writer = new RedisAuditWriter({ redis: writeConnection, keys, config, metrics, logger });
  const store = new AuditQueryStore({ redis: deps.redis, keys });
  const tail = new AuditTail({
    store,
    blocking: tailConnections,
    keys,
    logger,
    onSubscribersChanged: (count) => metrics.streamSubscribers.set(count),
  });
  const retention = new AuditRetention({
    redis: deps.redis,
    keys,
    maxAgeSeconds: config.retention.maxAge,
    clock,
    logger,
    holder,
  });
  const sink: ExportSink | undefined = deps.exportSink ?? createExportSink(config.export);
  const exportConnections = sink ? keys.shards.map(() => dedicatedConnection(deps.redis)) : [];
  // One worker per shard; they share the sink, which takes one batch at a time.
  const sharedSink = sink ? oneBatchAtATime(sink) : undefined;
  const exporters = exportConnections.map(
    (connection, shard) =>
      new AuditExporter({
        redis: deps.redis,
        connection,
        keys,
        shard,
        sink: sharedSink!,
        metrics,
        logger,
        holder,
      }),
  );

  return {
    writer,
    exportSink: sharedSink,
    lifecycle: createLifecycleSink({
      writer,
      clock,
      logger,
      listenerFailures: metrics.lifecycleListenerFailures,
    }),
    objectsCreatedBy: (grantId, since) => objectsCreatedBy(store, grantId, since),
    routes: (api) => [
      auditRoutes({
        reader: { query: (query) => store.query(query), subscribe: (request) => tail.subscribe(request) },
        requireSession: api.requireSession,
        isAdmin: api.isAdmin,
        clock,
        shards: config.shards,
        ...(deps.heartbeatMs ? { heartbeatMs: deps.heartbeatMs } : {}),
      }),
    ],
    async start() {
      // Redis may be down at boot: fail-closed then refuses until it is up; buffered spools.
      await waitUntilReady(writeConnection, config.writeTimeout * 1000);
      await writer.start();
      retention.start();
      for (const exporter of exporters) exporter.start();
    },
    async stop() {
      // The tail's blocking reads are cut by closing their connections rather than waited
      // out; each exporter cuts its own, but lets a delivered batch be acknowledged first.
      const stopped = [tail.stop(), ...exporters.map((exporter) => exporter.stop())];
      for (const connection of tailConnections) connection.disconnect();
      await Promise.all(stopped);
      for (const connection of exportConnections) connection.disconnect();
      await sink?.close?.();
      await retention.stop();
      await writer.stop();
      writeConnection.disconnect();
    },
  };
}
