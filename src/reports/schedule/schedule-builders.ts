import type { RbacReport, ReportCluster } from "../rbac/index.ts";
import type { ReviewBuilder } from "../review/index.ts";
import type { BuiltReport, ReportBuilders } from "./report-scheduler.ts";

/**
 * What each schedulable report is built from, and its one line for chat: `rbac` scans the
 * entry's cluster (or each cluster, one delivery each), `review` is the review with its
 * default window and thresholds (the entry's cluster, or all).
 */
export function scheduleBuilders(
  clusters: ReadonlyMap<string, ReportCluster>,
  rbac: { scan(cluster: ReportCluster): Promise<RbacReport> },
  review: ReviewBuilder,
): ReportBuilders {
  return {
    rbac: async (name) => {
      const chosen = name === undefined ? [...clusters.values()] : [clusters.get(name)!];
      const built: BuiltReport[] = [];
      for (const cluster of chosen) {
        const report = await rbac.scan(cluster);
        const counts = Object.entries(report.summary).map(([severity, n]) => `${n} ${severity}`);
        built.push({
          cluster: report.cluster,
          text: `RBAC report for cluster ${report.cluster}: ${counts.join(", ")}`,
          content: report,
        });
      }
      return built;
    },
    review: async (cluster) => {
      const report = await review.build(cluster === undefined ? {} : { cluster });
      const { summary } = report;
      return [
        {
          cluster: report.cluster,
          text:
            `Access review (${report.cluster ?? "all clusters"}): ${summary.unused} of ${summary.principals} ` +
            `standing principals unused, ${summary.openGrants} open grants older than the threshold, ` +
            `${summary.privilegedGrants} privileged grants, ${summary.breakGlassGrants} break-glass grants`,
          content: report,
        },
      ];
    },
  };
}
