import { Router } from "express";
import type { Config } from "../../config/schema.ts";
import type { ApiContext } from "../../http/feature.ts";
import { getPrincipal } from "../../http/principal.ts";
import type { Clock } from "../../shared/clock.ts";
import { accessReport } from "./access-report.ts";
import type { RbacReaders } from "./granted-permissions.ts";
import { parseReportQuery, scopeToCaller, type UsageReportKind } from "./report-query.ts";
import type { ReportInput, UsageReader } from "./report-rows.ts";
import { unusedReport } from "./unused-report.ts";
import { usageReport } from "./usage-report.ts";

const REPORTS: Record<UsageReportKind, (input: ReportInput) => Promise<unknown>> = {
  usage: usageReport,
  unused: unusedReport,
  access: accessReport,
};

/** GET /reports/usage, /reports/unused and /reports/access, mounted under /v1. */
export function usageRoutes(options: {
  api: ApiContext;
  reader: UsageReader;
  readers: RbacReaders;
  config: Config;
  clock: Clock;
}): Router {
  const router = Router();
  for (const [kind, build] of Object.entries(REPORTS) as [
    UsageReportKind,
    (input: ReportInput) => Promise<unknown>,
  ][]) {
    router.get(`/reports/${kind}`, options.api.requireSession, async (req, res) => {
      const principal = getPrincipal(res);
      const admin = options.api.isAdmin(principal);
      const asked = parseReportQuery(kind, req.query, options.config, options.clock.now());
      const query = scopeToCaller(asked, principal, admin);
      const { reader, readers, config } = options;
      res.json(await build({ reader, readers, config, query, scoped: !admin }));
    });
  }
  return router;
}
