/**
 * Reports: who can do what in each cluster (the RBAC posture scan), what was granted and what
 * was used through the gateway (usage aggregates kept from the audit stream), least-privilege
 * roles from real use, and access reviews — `GET /v1/reports/...` and `kubectl broker report`.
 *
 * Each family of reports is a part with its own wiring, routes and background work; this
 * index composes them into one feature. Admins see every report; a person sees reports about
 * their own access.
 */
import type { Registry } from "prom-client";
import type { Config } from "../config/schema.ts";
import type { Feature } from "../http/feature.ts";
import type { Clock } from "../shared/clock.ts";
import type { Logger } from "../shared/logger.ts";
import type { RedisClient } from "../shared/redis.ts";
import { createRbacReport, type GrantStates, type ReportCluster } from "./rbac/index.ts";
import { createReviewReport, type OpenGrants } from "./review/index.ts";
import {
  createReportSchedule,
  type ReportNotifier,
  type ReportRecorder,
  scheduleBuilders,
} from "./schedule/index.ts";
import { createSuggestRole } from "./suggest/index.ts";
import { createUsageReports } from "./usage/index.ts";

export interface ReportsDeps {
  config: Config;
  redis: RedisClient;
  /** This replica's name (leases, consumer names). */
  replica: string;
  clock: Clock;
  logger: Logger;
  metrics: Registry;
  /** The configured clusters, each with what the RBAC report reads through (src/cluster). */
  clusters: ReadonlyMap<string, ReportCluster>;
  /** Whether a kube-broker grant is still open, and those open (the grants feature fits by shape). */
  grants: GrantStates & OpenGrants;
  /** Where scheduled reports are recorded for the audit export sink (the audit feature's lifecycle). */
  recorder: ReportRecorder;
  /** Who is told of scheduled reports (the requests feature's webhook notifier). */
  notifier: ReportNotifier;
}

export function createReports(deps: ReportsDeps): Feature {
  // One line per family of reports.
  const rbac = createRbacReport(deps);
  const usage = createUsageReports(deps);
  const review = createReviewReport({ ...deps, reader: usage.reader });
  const suggest = createSuggestRole({ ...deps, reader: usage.reader });
  const schedule = createReportSchedule({ ...deps, builders: scheduleBuilders(deps.clusters, rbac, review) });
  const schedulePart: Feature = {
    routes: () => [],
    start: async () => schedule.start(),
    stop: schedule.stop,
  };
  const parts: Feature[] = [rbac, usage, review, suggest, schedulePart];
  return {
    routes: (api) => parts.flatMap((part) => part.routes(api)),
    start: async () => {
      for (const part of parts) await part.start();
    },
    stop: async () => {
      for (const part of [...parts].reverse()) await part.stop();
    },
  };
}

export type {
  Binding,
  Finding,
  Meta,
  PolicyRule,
  RbacReader,
  RbacReport,
  RbacSnapshot,
  Severity,
} from "./rbac/index.ts";
export type { ReviewReport } from "./review/index.ts";
export type { BrokerRoleEntry, SuggestedRole } from "./suggest/index.ts";
export type { AccessReport, UnusedReport, UsageReport } from "./usage/index.ts";
