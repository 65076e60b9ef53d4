/**
 * Usage reports: what was used through the gateway, against what was granted — `report
 * usage`, `report unused` and `report access` (GET /v1/reports/usage|unused|access).
 *
 * They never scan the audit stream. One aggregator per audit shard (usage-aggregator.ts)
 * reads that shard in its own consumer group, `kb-usage`, under a lease, and keeps per-day
 * buckets of counts keyed by permission (cluster, namespace, user, grant, role, verb, API
 * group, resource, subresource), exactly once per record; lifecycle records add each grant's
 * owner and origin (CI rule) and who was around. A report reads one bucket per shard and day,
 * so it costs what the distinct permissions cost, not what the records do.
 *
 * Owns the keys under the `{usage:<shard>}` hash tags (usage-keys.ts) and the `kb-usage`
 * consumer group on each audit shard. Buckets expire after reports.usageRetention.
 */
import { auditKeys } from "../../audit/index.ts";
import type { Config } from "../../config/schema.ts";
import type { Feature } from "../../http/feature.ts";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/logger.ts";
import { dedicatedConnection, type RedisClient } from "../../shared/redis.ts";
import type { RbacReaders } from "./granted-permissions.ts";
import type { UsageReader } from "./report-rows.ts";
import { UsageAggregator } from "./usage-aggregator.ts";
import { usageKeys } from "./usage-keys.ts";
import { usageRoutes } from "./usage-routes.ts";
import { UsageStore } from "./usage-store.ts";

export interface UsageReportsDeps {
  config: Config;
  redis: RedisClient;
  /** This replica's name: the consumer name and lease token of its aggregators. */
  replica: string;
  clock: Clock;
  logger: Logger;
  /** Each cluster's RBAC reader (the RBAC report's), for what a role grants. */
  clusters: RbacReaders;
}

export function createUsageReports(deps: UsageReportsDeps): Feature & { reader: UsageReader } {
  const { config, clock } = deps;
  const logger = deps.logger.child({ part: "usage" });
  const logs = auditKeys(config.redis.keyPrefix, config.audit.shards).shards.map((shard) => shard.log);
  const keys = usageKeys(config.redis.keyPrefix, logs.length);
  const store = new UsageStore({ redis: deps.redis, keys });
  let aggregators: UsageAggregator[] = [];
  return {
    reader: store,
    routes: (api) => [usageRoutes({ api, reader: store, readers: deps.clusters, config, clock })],
    async start() {
      aggregators = logs.map(
        (log, shard) =>
          new UsageAggregator({
            redis: deps.redis,
            connection: dedicatedConnection(deps.redis),
            log,
            keys: keys[shard]!,
            holder: `usage-${deps.replica}`,
            clock,
            logger,
            retentionSeconds: config.reports.usageRetention,
          }),
      );
      for (const aggregator of aggregators) aggregator.start();
    },
    async stop() {
      await Promise.all(aggregators.map((aggregator) => aggregator.stop()));
    },
  };
}

export type { AccessItem, AccessReport } from "./access-report.ts";
export type { GrantedPermission, RbacReaders } from "./granted-permissions.ts";
export { invalid, parseReportQuery, type ReportQuery, scopeToCaller } from "./report-query.ts";
export { type ReportInput, selectRows, type UsageReader, windowView } from "./report-rows.ts";
export {
  candidates,
  ruleView,
  standingRulesOn,
  type UnusedReport,
  type UnusedStandingRule,
  usedUnderRule,
} from "./unused-report.ts";
export { filterView, type UsageReport, type UsedPermission } from "./usage-report.ts";
export type { UsageRow } from "./usage-store.ts";
