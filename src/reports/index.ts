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

export interface ReportsDeps {
  config: Config;
  redis: RedisClient;
  /** This replica's name (leases, consumer names). */
  replica: string;
  clock: Clock;
  logger: Logger;
  metrics: Registry;
}

export function createReports(deps: ReportsDeps): Feature {
  // One line per family of reports.
  const parts: Feature[] = [];
  void deps;
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
