import type { ParseArgsOptionsConfig } from "node:util";
import { parseFlags } from "../args.ts";
import type { CliContext } from "../context.ts";
import type { OutputChoice } from "../output/output-format.ts";
import { print } from "../output/output-format.ts";
import {
  brokerRoleEntry,
  manifestsJson,
  manifestsYaml,
  type SuggestedRole,
  suggestedRoleNotes,
  suggestedRoleView,
} from "../output/suggest-view.ts";
import { addRoleToConfig } from "./broker-config-role.ts";
import { flags as usageFlags } from "./usage.ts";
import { fetchReport } from "./usage-query.ts";

export const usage = `kubectl broker report suggest-role [--since 30d] (--user U|--grant ID|--role R|--ci-rule NAME) [--cluster C]
    [--name NAME] [--bind-user U|--bind-serviceaccount NS/NAME] [--as-broker-role]
    [--add-to-config FILE] [-o yaml|json]

The smallest Role or ClusterRole that allows what the subject did through the gateway in the
window, built from the usage aggregates: rules per API group and resource, verbs as used,
object names only when every use named a few; a Role when all use was in one namespace,
else a ClusterRole with a RoleBinding in each namespace used; use outside namespaces in a
ClusterRole bound cluster-wide. -o yaml writes the manifests for \`kubectl apply -f -\`
(bound to a placeholder subject unless --bind-user or --bind-serviceaccount names one);
-o json the same as a List. --as-broker-role writes the ClusterRole and the \`roles:\` entry
to paste into the broker's config (the CLI cannot reach the running broker's);
--add-to-config FILE adds that entry to a broker config file you keep (in Git, say),
changing nothing else in it. Admins may ask about anyone; others about themselves and their
own grants.`;

export const flags = {
  // The window and subject as report usage takes them.
  ...usageFlags,
  name: { type: "string" },
  "bind-user": { type: "string" },
  "bind-serviceaccount": { type: "string" },
  "as-broker-role": { type: "boolean" },
  "add-to-config": { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

export const outputs: readonly OutputChoice[] = ["yaml", "json", "name"];

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, flags);
  const configFile = values["add-to-config"];
  const asBrokerRole = values["as-broker-role"] === true || configFile !== undefined;
  const extra: Record<string, string> = asBrokerRole ? { asBrokerRole: "true" } : {};
  const { report, format } = await fetchReport<SuggestedRole>(
    "suggest-role",
    args,
    ctx,
    flags,
    outputs,
    extra,
  );
  if (configFile !== undefined && report.brokerRole) {
    addRoleToConfig(configFile, report.brokerRole);
    ctx.say(
      `added role "${report.brokerRole.name}" to ${configFile}; apply its ClusterRole (-o yaml) and deploy the config`,
    );
  }
  if (format.kind === "yaml") {
    await ctx.out(manifestsYaml(report));
    return 0;
  }
  if (format.kind === "json") {
    await ctx.out(manifestsJson(report));
    // JSON has no comments: the entry to paste goes to people on stderr.
    if (asBrokerRole)
      ctx.say(`Add to the broker's config (the CLI cannot write it):\n${brokerRoleEntry(report)}`);
    return 0;
  }
  await print(ctx, format, suggestedRoleView(report));
  if (format.kind !== "table") return 0;
  for (const note of suggestedRoleNotes(report)) ctx.say(note);
  if (asBrokerRole)
    await ctx.out(
      `\nAdd to the broker's config under roles: (the CLI cannot write it):\n${brokerRoleEntry(report)}`,
    );
  return 0;
}
