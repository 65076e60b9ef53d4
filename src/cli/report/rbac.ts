import type { ParseArgsOptionsConfig } from "node:util";
import { BROKER_FLAGS, OUTPUT_FLAG, parseFlags, required } from "../args.ts";
import { signedInClient } from "../broker/session-access.ts";
import type { CliContext } from "../context.ts";
import { type OutputChoice, outputFormat, print } from "../output/output-format.ts";
import { type RbacReport, rbacReportNotes, rbacReportView } from "../output/rbac-view.ts";

export const usage = `kubectl broker report rbac --cluster C [-o json|yaml]

The cluster's standing RBAC risks (admins only): every binding's subjects with the rules they
hold, ClusterRole aggregation resolved, as findings (critical, high, medium, drift) each
naming the subject, where, what it allows, the binding that grants it and a fix. The defaults
of a fresh cluster and kube-broker's own objects are left out; docs/reports.md explains each
finding.`;

export const flags = {
  ...BROKER_FLAGS,
  ...OUTPUT_FLAG,
  cluster: { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

export const outputs: readonly OutputChoice[] = ["json", "yaml"];

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, flags);
  const cluster = required(values.cluster, "cluster");
  const format = outputFormat(values.output, outputs);
  const report = await signedInClient(ctx, values).get<RbacReport>(
    `/v1/reports/rbac?${new URLSearchParams({ cluster })}`,
  );
  await print(ctx, format, rbacReportView(report));
  if (format.kind === "table") for (const note of rbacReportNotes(report)) ctx.say(note);
  return 0;
}
