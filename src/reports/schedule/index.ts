/**
 * Scheduled reports (reports.schedule): one replica at a time, under a Redis lease, looks
 * every second for an entry whose period has passed (by the broker's clock), claims it in
 * Redis and delivers the report as JSON: to the audit export sink as a `report.delivered`
 * lifecycle record (written to the audit stream, so the exporter delivers it like any
 * record and `audit query` finds it), and to the notification webhooks that list the
 * `report.delivered` event. Owns `{reports}:schedule-lease` and `{reports}:schedule` (each
 * entry's last run).
 */
import { Lease } from "../../shared/lease.ts";
import { LeasedLoop } from "../../shared/leased-loop.ts";
import { keyspace } from "../../shared/redis.ts";
import type { ReportsDeps } from "../index.ts";
import { type ReportBuilders, ReportScheduler, type ScheduledReport } from "./report-scheduler.ts";

/** Where a delivered report is recorded: the audit feature's lifecycle events fit by shape. */
export interface ReportRecorder {
  publish(event: { event: "report.delivered"; cluster: string; detail: string }): Promise<void>;
}

/** Who is told of a delivered report: the requests feature's webhook notifier fits by shape. */
export interface ReportNotifier {
  notify(notification: {
    event: "report.delivered";
    text: string;
    data: Record<string, unknown>;
  }): Promise<void> | void;
}

/** The reports feature's deps, and what each schedulable report is built with. */
export type ReportScheduleDeps = ReportsDeps & { builders: ReportBuilders };

/** How often the lease holder looks for a due entry (real time; the periods are on the broker's clock). */
const TICK_MS = 1000;

export function createReportSchedule(deps: ReportScheduleDeps): { start(): void; stop(): Promise<void> } {
  const { config } = deps;
  const logger = deps.logger.child({ part: "schedule" });
  const key = keyspace(config.redis.keyPrefix, "reports");
  const deliver = async (report: ScheduledReport) => {
    // The audit record first: it is the durable one (fail-closed or spooled), the webhook a courtesy.
    await deps.recorder.publish({
      event: "report.delivered",
      cluster: report.cluster ?? "",
      detail: JSON.stringify(report),
    });
    await deps.notifier.notify({ event: "report.delivered", text: report.text, data: { report } });
  };
  const scheduler = new ReportScheduler({
    entries: config.reports.schedule,
    builders: deps.builders,
    deliver,
    redis: deps.redis,
    key: key("schedule"),
    clock: deps.clock,
    logger,
    metrics: deps.metrics,
  });
  const loop = new LeasedLoop({
    lease: new Lease({ redis: deps.redis, key: key("schedule-lease"), ttlMs: 30_000, holder: deps.replica }),
    intervalMs: TICK_MS,
    pass: () => scheduler.pass(),
    logger,
    what: "scheduled reports",
  });
  const scheduled = config.reports.schedule.length > 0;
  return {
    start: () => {
      if (scheduled) loop.start();
    },
    stop: () => loop.stop(),
  };
}

export type { BuiltReport, ReportBuilders } from "./report-scheduler.ts";
export { scheduleBuilders } from "./schedule-builders.ts";
