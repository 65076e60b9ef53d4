import type { ParseArgsOptionsConfig } from "node:util";
import { BROKER_FLAGS, OUTPUT_FLAG, parseFlags } from "../args.ts";
import { signedInClient } from "../broker/session-access.ts";
import type { CliContext } from "../context.ts";
import {
  type OutputChoice,
  type OutputFormat,
  outputFormat,
  type Printable,
  print,
} from "../output/output-format.ts";

/** The -o formats of the usage reports: each is a report object, not a manifest or a list of names. */
export const outputs: readonly OutputChoice[] = ["json", "yaml", "wide"];

/** Flag name → the API's query parameter, for the flags the usage reports share. */
const PARAMS: Record<string, string> = {
  since: "since",
  cluster: "cluster",
  namespace: "namespace",
  resource: "resource",
  user: "user",
  role: "role",
  grant: "grant",
  "ci-rule": "ciRule",
  name: "name",
  "bind-user": "bindUser",
  "bind-serviceaccount": "bindServiceAccount",
  "unused-for": "unusedFor",
  "older-than": "olderThan",
};

/**
 * `report usage|unused|access`: the flags become the query of GET /v1/reports/KIND as given;
 * the broker checks them (a bad window or an unknown role is its 422 or 404, said in one line).
 */
export async function runUsageReport<R>(
  kind: string,
  args: string[],
  ctx: CliContext,
  flags: ParseArgsOptionsConfig,
  view: (report: R, now: number) => Printable,
): Promise<number> {
  const { report, format } = await fetchReport<R>(kind, args, ctx, flags, outputs);
  await print(ctx, format, view(report, ctx.clock.now()));
  return 0;
}

/** The flags as GET /v1/reports/KIND's query, the report it answers, and the -o asked for. */
export async function fetchReport<R>(
  kind: string,
  args: string[],
  ctx: CliContext,
  flags: ParseArgsOptionsConfig,
  choices: readonly OutputChoice[],
  extra: Record<string, string> = {},
): Promise<{ report: R; format: OutputFormat }> {
  const { values } = parseFlags(args, { ...BROKER_FLAGS, ...OUTPUT_FLAG, ...flags });
  const format = outputFormat(values.output as string | undefined, choices);
  const query = new URLSearchParams(extra);
  for (const [flag, param] of Object.entries(PARAMS)) {
    const value = (values as Record<string, unknown>)[flag];
    if (typeof value === "string") query.set(param, value);
  }
  const broker = values as { server?: string; "certificate-authority"?: string };
  const report = await signedInClient(ctx, broker).get<R>(`/v1/reports/${kind}?${query}`);
  return { report, format };
}
