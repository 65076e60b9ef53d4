/**
 * The RBAC posture report (issue 16 part 1): reads a cluster's roles, bindings, ServiceAccounts
 * and — when permitted — the metadata of legacy token Secrets, and reports standing risks
 * (docs/reports.md). GET /v1/reports/rbac scans on request; one replica, under a Redis lease,
 * rescans every cluster each reports.rbacScanInterval so the Prometheus gauges stay current.
 * It writes nothing to a cluster and keeps nothing in Redis but its lease.
 */
import type { Feature } from "../../http/feature.ts";
import { Lease } from "../../shared/lease.ts";
import { LeasedLoop } from "../../shared/leased-loop.ts";
import { keyspace } from "../../shared/redis.ts";
import type { ReportsDeps } from "../index.ts";
import type { RbacReport } from "./rbac-report.ts";
import { rbacRoutes } from "./rbac-routes.ts";
import { RbacScanner, type ReportCluster } from "./rbac-scanner.ts";

export function createRbacReport(
  deps: ReportsDeps,
): Feature & { scan(cluster: ReportCluster): Promise<RbacReport> } {
  const logger = deps.logger.child({ feature: "reports", report: "rbac" });
  const scanner = new RbacScanner({ grants: deps.grants, clock: deps.clock, metrics: deps.metrics });
  const intervalMs = deps.config.reports.rbacScanInterval * 1000;
  const loop = new LeasedLoop({
    // Held across passes (longer than the interval), so one replica keeps the scans; if it
    // dies the lease lapses and another takes over.
    lease: new Lease({
      redis: deps.redis,
      key: keyspace(deps.config.redis.keyPrefix, "reports")("rbac-scan-lease"),
      ttlMs: intervalMs * 2,
      holder: deps.replica,
    }),
    intervalMs,
    pass: () => scanner.scanAll(deps.clusters.values(), logger),
    logger,
    what: "RBAC scan",
  });
  return {
    scan: (cluster) => scanner.scan(cluster),
    routes: (api) => [
      rbacRoutes({
        scanner,
        clusters: deps.clusters,
        requireSession: api.requireSession,
        isAdmin: api.isAdmin,
      }),
    ],
    start: async () => loop.start(),
    stop: () => loop.stop(),
  };
}

export {
  CLUSTER_WIDE,
  clusterRoleRules,
  type HeldRule,
  heldRules,
  ruleAllows,
  rulesOfSubject,
} from "./effective-rules.ts";
export type { Finding, Severity } from "./finding.ts";
export type { Binding, Meta, PolicyRule, RbacReader, RbacSnapshot, Subject } from "./rbac-reader.ts";
export type { RbacReport } from "./rbac-report.ts";
export type { GrantStates, ReportCluster } from "./rbac-scanner.ts";
