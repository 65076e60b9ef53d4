import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export type WriteOutcome = "written" | "spooled" | "refused";
export type WriteFailureReason =
  | "unreachable"
  | "timeout"
  | "redis-error"
  | "unreplicated"
  | "spool-full"
  | "spool-error";

/** The audit feature's Prometheus metrics, registered on the registry it is given. */
export interface AuditMetrics {
  writeSeconds: Histogram<"outcome">;
  writeFailures: Counter<"reason">;
  /** Records per round trip: shows that concurrent appends share their writes. */
  batchSize: Histogram;
  spoolRecords: Gauge;
  spoolBytes: Gauge;
  exportDelivered: Counter<"sink">;
  exportFailures: Counter<"sink">;
  streamSubscribers: Gauge;
  lifecycleListenerFailures: Counter<"event">;
}

export function createAuditMetrics(registry: Registry): AuditMetrics {
  const registers = [registry];
  return {
    writeSeconds: new Histogram({
      name: "kube_broker_audit_write_duration_seconds",
      help: "Time from append to the record being safe (in Redis, or spooled in buffered mode), or refused",
      labelNames: ["outcome"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    writeFailures: new Counter({
      name: "kube_broker_audit_write_failures_total",
      help: "Audit writes that did not reach Redis, by reason (in buffered mode most are then spooled)",
      labelNames: ["reason"],
      registers,
    }),
    batchSize: new Histogram({
      name: "kube_broker_audit_write_batch_records",
      help: "Records sent to Redis per round trip",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
      registers,
    }),
    spoolRecords: new Gauge({
      name: "kube_broker_audit_spool_records",
      help: "Audit records in the local spool waiting to be replayed into Redis",
      registers,
    }),
    spoolBytes: new Gauge({
      name: "kube_broker_audit_spool_bytes",
      help: "Size of the local audit spool file",
      registers,
    }),
    exportDelivered: new Counter({
      name: "kube_broker_audit_export_delivered_total",
      help: "Audit records delivered to the export sink",
      labelNames: ["sink"],
      registers,
    }),
    exportFailures: new Counter({
      name: "kube_broker_audit_export_failures_total",
      help: "Failed export delivery attempts (each is retried)",
      labelNames: ["sink"],
      registers,
    }),
    streamSubscribers: new Gauge({
      name: "kube_broker_audit_stream_subscribers",
      help: "Open live audit streams (GET /v1/audit/stream)",
      registers,
    }),
    lifecycleListenerFailures: new Counter({
      name: "kube_broker_lifecycle_listener_failures_total",
      help: "Lifecycle events a listener could not act on (such as a notification of a grant's end)",
      labelNames: ["event"],
      registers,
    }),
  };
}
