import { Counter, Gauge, type Registry } from "prom-client";
import type { Clock } from "../shared/clock.ts";
import type { OnCallSchedule, RefreshOutcome } from "./on-call-schedule.ts";

/**
 * `kube_broker_oncall_*`: how old each schedule's copy is and whether its last read failed,
 * so an alert can say "the on-call feed has been down for an hour" before anyone notices that
 * on-call approvals answer from an old copy.
 */
export function createOnCallMetrics(
  registry: Registry,
  schedules: readonly OnCallSchedule[],
  clock: Clock,
): { refreshed(schedule: string, outcome: RefreshOutcome): void } {
  const refreshes = new Counter({
    name: "kube_broker_oncall_refreshes_total",
    help: "Reads of on-call schedule feeds, by schedule and outcome (updated, unchanged, failed).",
    labelNames: ["schedule", "outcome"],
    registers: [registry],
  });
  new Gauge({
    name: "kube_broker_oncall_schedule_age_seconds",
    help: "Seconds since the copy of the schedule in use was read; NaN when none ever was.",
    labelNames: ["schedule"],
    registers: [registry],
    collect() {
      for (const s of schedules)
        this.set(
          { schedule: s.name },
          s.fetchedAt === undefined ? Number.NaN : (clock.now() - s.fetchedAt) / 1000,
        );
    },
  });
  new Gauge({
    name: "kube_broker_oncall_schedule_stale",
    help: "1 when the last read of the schedule's feed failed and an older copy answers (or none does).",
    labelNames: ["schedule"],
    registers: [registry],
    collect() {
      for (const s of schedules) this.set({ schedule: s.name }, s.stale || s.fetchedAt === undefined ? 1 : 0);
    },
  });
  return { refreshed: (schedule, outcome) => refreshes.inc({ schedule, outcome }) };
}
