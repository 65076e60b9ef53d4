import type { ParseArgsOptionsConfig } from "node:util";
import { BROKER_FLAGS, OUTPUT_FLAG, parseFlags, required } from "../args.ts";
import { signedInClient } from "../broker/session-access.ts";
import { UsageError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { outputFormat, print } from "../output/output-format.ts";
import { liftedSuspension, type SuspensionView, suspensionList } from "../output/suspension-view.ts";

export const usage = `kubectl broker suspensions [-o json|yaml|name|wide|jsonpath=…]
       kubectl broker suspensions lift USER --cluster CLUSTER [-o json|yaml|name|jsonpath=…]

Lists suspended standing access: an alert rule with "action: require-approval" suspends a
person's standing access to a cluster until an admin lifts it; meanwhile they get access
only through "kubectl broker request". Admins see everyone's, others their own. "lift" (admins
only) gives USER (as listed) their standing access to CLUSTER back at once.

  -o FORMAT    json or yaml (the API's {items}), name (suspension/CLUSTER/USER per line),
               wide (with the alert), jsonpath=TEMPLATE`;

export const flags = {
  ...BROKER_FLAGS,
  ...OUTPUT_FLAG,
} as const satisfies ParseArgsOptionsConfig;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  if (args[0] === "lift") return lift(args.slice(1), ctx);
  const { values } = parseFlags(args, flags);
  const format = outputFormat(values.output);
  const { items } = await signedInClient(ctx, values).get<{ items: SuspensionView[] }>("/v1/suspensions");
  await print(ctx, format, suspensionList(items, ctx.clock.now()));
  return 0;
}

async function lift(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(args, { ...flags, cluster: { type: "string" } }, 1);
  const user = positionals[0];
  if (!user) {
    throw new UsageError(
      "whose? kubectl broker suspensions lift USER --cluster CLUSTER (kubectl broker suspensions lists them)",
    );
  }
  const cluster = required(values.cluster, "cluster");
  const format = outputFormat(values.output, ["json", "yaml", "name", "jsonpath"], "the name");
  const path = `/v1/suspensions/${encodeURIComponent(cluster)}/${encodeURIComponent(user)}`;
  const lifted = await signedInClient(ctx, values).delete<SuspensionView>(path);
  if (format.kind === "table") {
    ctx.say(
      `Standing access of ${lifted.user} to ${lifted.cluster} is back (suspended by ${lifted.by} at ${lifted.at}).`,
    );
  }
  await print(ctx, format, liftedSuspension(lifted));
  return 0;
}
