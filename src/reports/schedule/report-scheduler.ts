import { Counter, type Registry } from "prom-client";
import type { Config } from "../../config/schema.ts";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/logger.ts";
import type { RedisClient } from "../../shared/redis.ts";

export type ScheduleEntry = Config["reports"]["schedule"][number];
export type ScheduledReportName = ScheduleEntry["report"];

/** A report built for the schedule, with the one line a chat message shows of it. */
export interface BuiltReport {
  cluster: string | null;
  text: string;
  content: object;
}

/** Builds one kind of report: for the cluster, or every cluster when none is given. */
export type ReportBuilders = Record<
  ScheduledReportName,
  (cluster: string | undefined) => Promise<BuiltReport[]>
>;

/** What one run hands on: the report, with what it is and when it was made. */
export interface ScheduledReport {
  report: ScheduledReportName;
  cluster: string | null;
  /** The entry's period, in seconds. */
  every: number;
  generatedAt: string;
  text: string;
  content: object;
}

export interface SchedulerOptions {
  entries: readonly ScheduleEntry[];
  builders: ReportBuilders;
  deliver: (report: ScheduledReport) => Promise<void>;
  redis: RedisClient;
  /** The hash of each entry's last run. */
  key: string;
  clock: Clock;
  logger: Logger;
}

/**
 * Claims an entry's run: if its last run (ms, in the hash) is `every` or more ago, sets it to
 * now and returns 1. Atomic, so however many replicas (or a restart) look at once, one run
 * happens per period; a run never made (no field) is due at once — the missed run at start-up.
 */
const CLAIM = `
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if last + tonumber(ARGV[2]) <= tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  return 1
end
return 0`;

/** A failed run is tried again this soon (or at its period, if that is sooner), not a week later. */
const RETRY_MS = 5 * 60_000;

/**
 * One pass over reports.schedule: each due entry is claimed in Redis, built and delivered.
 * The last run of each entry is kept under its report and cluster, so a restart, another
 * replica or a changed `every` does not run it early.
 */
export class ReportScheduler {
  readonly #options: SchedulerOptions;
  readonly #runs: Counter<"report" | "outcome">;

  constructor(options: SchedulerOptions & { metrics: Registry }) {
    this.#options = options;
    this.#runs = new Counter({
      name: "kube_broker_scheduled_reports_total",
      help: "Scheduled report runs (reports.schedule) by report and outcome (delivered, failed).",
      labelNames: ["report", "outcome"],
      registers: [options.metrics],
    });
  }

  async pass(): Promise<void> {
    const { entries, redis, key, clock } = this.#options;
    for (const entry of entries) {
      const field = `${entry.report}|${entry.cluster ?? ""}`;
      const everyMs = entry.every * 1000;
      const now = clock.now();
      if ((await redis.eval(CLAIM, 1, key, field, String(everyMs), String(now))) !== 1) continue;
      try {
        await this.#run(entry, now);
        this.#runs.inc({ report: entry.report, outcome: "delivered" });
      } catch (err) {
        this.#runs.inc({ report: entry.report, outcome: "failed" });
        this.#options.logger.warn({ err: String(err), report: entry.report }, "scheduled report failed");
        await redis.hset(key, field, String(now - everyMs + Math.min(RETRY_MS, everyMs)));
      }
    }
  }

  async #run(entry: ScheduleEntry, now: number): Promise<void> {
    const built = await this.#options.builders[entry.report](entry.cluster);
    const generatedAt = new Date(now).toISOString();
    for (const { cluster, text, content } of built) {
      await this.#options.deliver({
        report: entry.report,
        cluster,
        every: entry.every,
        generatedAt,
        text,
        content,
      });
    }
  }
}
