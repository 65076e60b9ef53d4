/**
 * Alerts: detection rules over audit records (docs/alerts.md). Rules come from
 * `alerts.rules` plus the default rules (default-rules.ts), which `alerts.defaults` switches
 * off or changes and a configured rule of the same name replaces.
 *
 * Flow: one EvaluationWorker per audit shard reads the shard in the consumer group
 * `kb-alerts` under the shard's lease and runs the rules on every record once; an alert
 * that fires is claimed and appended to the alert log in one step (redis-alert-store.ts).
 * One AlertDispatcher (under a lease) reads the log in the group `kb-alerts-dispatch`: it
 * writes each alert down as an `alert.fired` record, hands it to delivery (Alertmanager and
 * webhooks, through the durable notification stream) and carries out its rule's action.
 * GET /v1/alerts, /v1/alerts/stream and /v1/alerts/<id> read the log.
 *
 * Owns, under `{alerts:<digest>}` hash tags (one per rule and group value, or per rule and
 * first-seen subject, so each script runs in one Redis Cluster slot): threshold windows and
 * their state, and first-seen memory; under `{alerts}`: the alert log, one claim key per
 * fired alert, the dispatch steps done, and the leases (alert-log-keys.ts).
 */
import { Counter, Histogram, type Registry } from "prom-client";
import { auditKeys, type LifecycleSink } from "../audit/index.ts";
import type { Config } from "../config/schema.ts";
import type { Feature } from "../http/feature.ts";
import type { Clock } from "../shared/clock.ts";
import type { Logger } from "../shared/logger.ts";
import { dedicatedConnection, type RedisClient } from "../shared/redis.ts";
import { type AlertDeliverer, AlertDispatcher } from "./alert-dispatcher.ts";
import { AlertEvaluator } from "./alert-evaluator.ts";
import { alertLogKeys } from "./alert-log-keys.ts";
import { alertRoutes } from "./alert-routes.ts";
import { effectiveRules } from "./default-rules.ts";
import { EvaluationWorker } from "./evaluation-worker.ts";
import { RedisAlertLog } from "./redis-alert-log.ts";
import { RedisAlertStore } from "./redis-alert-store.ts";
import type { AlertResponder } from "./response/alert-responder.ts";

export interface AlertsDeps {
  config: Pick<Config, "alerts" | "audit" | "redis" | "roles">;
  redis: RedisClient;
  /** This replica's name: the consumer name and lease token of its workers. */
  replica: string;
  clock: Clock;
  logger: Logger;
  metrics: Registry;
  /** Where `alert.fired` records go. */
  lifecycle: LifecycleSink;
  delivery: AlertDeliverer;
  responder: AlertResponder;
  /** Workers' blocking reads (tests shorten them to stop quickly). */
  blockMs?: number;
}

const LEASE_TTL_MS = 10_000;

export function createAlerts(deps: AlertsDeps): Feature {
  const { config, redis, clock } = deps;
  const logger = deps.logger.child({ part: "alerts" });
  const prefix = config.redis.keyPrefix;
  const keys = alertLogKeys(prefix);
  const evaluator = new AlertEvaluator({
    rules: effectiveRules(config),
    store: new RedisAlertStore({ redis, keyPrefix: prefix }),
    clock,
    // An alert's id is remembered as long as the alert is listed, so its link works that long.
    dedupeMs: config.alerts.retention * 1000,
    retentionMs: config.alerts.retention * 1000,
  });
  const metrics = alertMetrics(deps.metrics);
  const log = new RedisAlertLog({ redis, keys });
  const shards = auditKeys(prefix, config.audit.shards).shards;
  let workers: { start(): void; stop(): Promise<void> }[] = [];
  return {
    routes: (api) => [alertRoutes({ api, reader: log, clock })],
    async start() {
      // A short lease: a replica that dies holds up alerts only this long before another goes on.
      const common = { leaseTtlMs: LEASE_TTL_MS, ...(deps.blockMs ? { blockMs: deps.blockMs } : {}) };
      workers = [
        ...shards.map(
          (shard, index) =>
            new EvaluationWorker({
              redis,
              connection: dedicatedConnection(redis),
              log: shard.log,
              leaseKey: keys.evaluateLease(index),
              holder: `alerts-${deps.replica}`,
              evaluator,
              logger,
              onBatch: (records, seconds) => {
                metrics.evaluated.inc(records);
                metrics.evaluation.observe(seconds);
              },
              ...common,
            }),
        ),
        new AlertDispatcher({
          redis,
          connection: dedicatedConnection(redis),
          keys: { log: keys.log, lease: keys.dispatchLease, step: keys.steps },
          holder: `alerts-${deps.replica}`,
          lifecycle: deps.lifecycle,
          delivery: deps.delivery,
          responder: deps.responder,
          clock,
          logger,
          onDispatched: (alert, delay) => {
            metrics.fired.inc({ rule: alert.rule, severity: alert.severity });
            metrics.delay.observe(delay);
          },
          ...common,
        }),
      ];
      for (const worker of workers) worker.start();
    },
    async stop() {
      await Promise.all(workers.map((worker) => worker.stop()));
    },
  };
}

function alertMetrics(registry: Registry) {
  return {
    evaluated: new Counter({
      name: "kube_broker_alert_records_evaluated_total",
      help: "Audit records the alert rules were evaluated on.",
      registers: [registry],
    }),
    evaluation: new Histogram({
      name: "kube_broker_alert_evaluation_batch_seconds",
      help: "Time to evaluate one batch of audit records against the alert rules.",
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2],
      registers: [registry],
    }),
    fired: new Counter({
      name: "kube_broker_alerts_fired_total",
      help: "Alerts dispatched (recorded, delivered, acted on), by rule and severity.",
      labelNames: ["rule", "severity"],
      registers: [registry],
    }),
    delay: new Histogram({
      name: "kube_broker_alert_dispatch_delay_seconds",
      help: "From the audit record's time to the alert being handed to delivery.",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60],
      registers: [registry],
    }),
  };
}

export type { AlertDeliverer } from "./alert-dispatcher.ts";
export { AlertEvaluator, type AlertEvaluatorDeps } from "./alert-evaluator.ts";
export { alertId } from "./alert-identity.ts";
export type { Alert, AlertAction, AlertRule, Severity } from "./alert-rule.ts";
export type { AlertStore, SightingInput, WindowAnswer, WindowInput } from "./alert-store.ts";
export { effectiveRules } from "./default-rules.ts";
export { createAlertDelivery } from "./delivery/index.ts";
export type { LoggedAlert } from "./redis-alert-log.ts";
export { RedisAlertStore } from "./redis-alert-store.ts";
export type { AlertResponder, AlertResponse } from "./response/alert-responder.ts";
export {
  type AlertResponderDeps,
  createAlertResponder,
  type GrantRevoker,
  type SessionEnder,
  type StandingSuspender,
} from "./response/alert-responder-service.ts";
export { compileMatch, type RecordMatcher } from "./rule-match.ts";
export { isOutside } from "./schedule.ts";
