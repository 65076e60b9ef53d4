import type { ParseArgsOptionsConfig } from "node:util";
import { BROKER_FLAGS, OUTPUT_FLAG } from "../args.ts";
import type { CliContext } from "../context.ts";
import { type AccessReport, accessReportView } from "../output/usage-view.ts";
import { runUsageReport } from "./usage-query.ts";

export { outputs } from "./usage-query.ts";

export const usage = `kubectl broker report access [--since 24h] [--cluster C] [--namespace N] [--resource secrets] [--user U] [-o json|yaml]

Who accessed what through the gateway in the window (default 24h): one row per person,
cluster, namespace and resource, with the verbs used, counts, denials, exec sessions, and
first and last access. Admins may ask about anyone; others see their own access.`;

export const flags = {
  ...BROKER_FLAGS,
  ...OUTPUT_FLAG,
  since: { type: "string" },
  cluster: { type: "string" },
  namespace: { type: "string" },
  resource: { type: "string" },
  user: { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

export function run(args: string[], ctx: CliContext): Promise<number> {
  return runUsageReport<AccessReport>("access", args, ctx, flags, accessReportView);
}
