import type { ParseArgsOptionsConfig } from "node:util";
import { BROKER_FLAGS, OUTPUT_FLAG } from "../args.ts";
import type { CliContext } from "../context.ts";
import { type UnusedReport, unusedReportView } from "../output/usage-view.ts";
import { runUsageReport } from "./usage-query.ts";

export { outputs } from "./usage-query.ts";

export const usage = `kubectl broker report unused [--since 30d] [--cluster C] [-o json|yaml]

What was granted and not used through the gateway in the window: roles nobody used, standing
rules under which nobody used anything, CI rules no job matched, people whose standing
access went unused, and the permissions of used roles that nobody used. Others than admins
see this about their own standing access.`;

export const flags = {
  ...BROKER_FLAGS,
  ...OUTPUT_FLAG,
  since: { type: "string" },
  cluster: { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

export function run(args: string[], ctx: CliContext): Promise<number> {
  return runUsageReport<UnusedReport>("unused", args, ctx, flags, unusedReportView);
}
