import type { ParseArgsOptionsConfig } from "node:util";
import { BROKER_FLAGS, OUTPUT_FLAG } from "../args.ts";
import type { CliContext } from "../context.ts";
import { type ReviewReport, reviewReportView } from "../output/review-view.ts";
import { runUsageReport } from "./usage-query.ts";

export { outputs } from "./usage-query.ts";

export const usage = `kubectl broker report review [--since 90d] [--unused-for 30d] [--older-than 7d] [--cluster C] [-o json|yaml]

The access review an owner signs off each quarter (admins only): for each standing rule and
each person it covers, the last use in the window and whether it went unused for
--unused-for; open grants older than --older-than; grants of privileged roles (marked
privileged, or binding cluster-admin) in the window.`;

export const flags = {
  ...BROKER_FLAGS,
  ...OUTPUT_FLAG,
  since: { type: "string" },
  cluster: { type: "string" },
  "unused-for": { type: "string" },
  "older-than": { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

export function run(args: string[], ctx: CliContext): Promise<number> {
  return runUsageReport<ReviewReport>("review", args, ctx, flags, reviewReportView);
}
