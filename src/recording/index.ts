/**
 * Recordings of kubectl exec and attach sessions (issue 19): the gateway taps the bytes it
 * relays (src/gateway/session-recording.ts), frames/ decodes the channel protocols (WebSocket
 * v5/v4.channel.k8s.io and SPDY/3.1), the recorder writes asciicast v2 to Redis with the lines
 * typed, and the routes list, search and serve them. `recording: off | best-effort | required`
 * per cluster and role (docs/recording.md).
 */
import type { Registry } from "prom-client";
import type { ExportSink, LifecycleSink } from "../audit/index.ts";
import type { Config } from "../config/schema.ts";
import type { Feature } from "../http/feature.ts";
import type { Clock } from "../shared/clock.ts";
import type { Logger } from "../shared/logger.ts";
import { dedicatedConnection, keyspace, type RedisClient } from "../shared/redis.ts";
import { RecordingExporter } from "./recording-exporter.ts";
import { createRecordingMetrics } from "./recording-metrics.ts";
import { recordingRoutes } from "./recording-routes.ts";
import { RedisRecordingStore } from "./redis-recording-store.ts";
import { RecordingSessions } from "./session-recordings.ts";

export type { RecordingMeta } from "./recording-store.ts";

export interface RecordingsDeps {
  config: Config;
  redis: RedisClient;
  clock: Clock;
  logger: Logger;
  metrics: Registry;
  /** Typed lines as session.command audit records. */
  lifecycle: LifecycleSink;
  /** audit.export's sink: finished recordings go there too (recording.export). */
  exportSink: ExportSink | undefined;
  /** This replica's name: the export's lease holder. */
  replica: string;
}

export interface Recordings extends Feature {
  /** What the gateway records sessions through. */
  sessions: RecordingSessions;
}

export function createRecordings(deps: RecordingsDeps): Recordings {
  const { config, clock } = deps;
  const options = { keyPrefix: config.redis.keyPrefix, retentionSeconds: config.recording.retention };
  // The session path writes on a connection that fails at once while Redis is away, so a
  // required recording refuses in microseconds rather than queueing (shared/redis.ts).
  const connection = dedicatedConnection(deps.redis);
  const sessionStore = new RedisRecordingStore({ redis: connection, ...options });
  const readStore = new RedisRecordingStore({ redis: deps.redis, ...options });
  const deliverRecording = config.recording.export ? deps.exportSink?.deliverRecording : undefined;
  const exporter = deliverRecording
    ? new RecordingExporter({
        redis: deps.redis,
        connection: dedicatedConnection(deps.redis),
        keys: {
          finished: keyspace(config.redis.keyPrefix, "recordings")("finished"),
          lease: keyspace(config.redis.keyPrefix, "recordings")("export-lease"),
        },
        store: readStore,
        sink: { deliverRecording },
        holder: deps.replica,
        logger: deps.logger.child({ part: "recording-export" }),
      })
    : undefined;
  const sessions = new RecordingSessions({
    config,
    store: sessionStore,
    clock,
    logger: deps.logger.child({ part: "recording" }),
    metrics: createRecordingMetrics(deps.metrics),
    lifecycle: deps.lifecycle,
    ...(exporter ? { onFinished: (id: string) => exporter.finished(id) } : {}),
  });
  return {
    sessions,
    routes: (api) => [recordingRoutes({ api, store: readStore, clock })],
    start: async () => exporter?.start(),
    // After the gateway (stopped first) has ended its sessions and their recorders wrote.
    stop: async () => {
      await exporter?.stop();
      connection.disconnect();
    },
  };
}
