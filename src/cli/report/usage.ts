import type { ParseArgsOptionsConfig } from "node:util";
import { BROKER_FLAGS, OUTPUT_FLAG } from "../args.ts";
import type { CliContext } from "../context.ts";
import { type UsageReport, usageReportView } from "../output/usage-view.ts";
import { runUsageReport } from "./usage-query.ts";

export { outputs } from "./usage-query.ts";

export const usage = `kubectl broker report usage [--since 30d] [--cluster C] [--role R|--user U|--grant ID|--ci-rule NAME] [-o json|yaml|wide]

The permissions used through the gateway in the window (default 30d, at most
reports.usageRetention): verb, resource, namespace, the object names when few, how often,
how often refused, first and last use. With --role, also each permission the role grants
(its effective rules in the cluster) and how often it was used: 0 is an unused permission.
Admins may ask about anyone; others see their own use.`;

export const flags = {
  ...BROKER_FLAGS,
  ...OUTPUT_FLAG,
  since: { type: "string" },
  cluster: { type: "string" },
  role: { type: "string" },
  user: { type: "string" },
  grant: { type: "string" },
  "ci-rule": { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

export function run(args: string[], ctx: CliContext): Promise<number> {
  return runUsageReport<UsageReport>("usage", args, ctx, flags, usageReportView);
}
