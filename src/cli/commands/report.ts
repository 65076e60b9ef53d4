import type { ParseArgsOptionsConfig } from "node:util";
import { BROKER_FLAGS, OUTPUT_FLAG, parseFlags } from "../args.ts";
import { UsageError } from "../cli-error.ts";
import type { CommandEntry } from "../commands.ts";
import type { CliContext } from "../context.ts";
import type { OutputChoice } from "../output/output-format.ts";
import { flags as accessFlags } from "../report/access.ts";
import { flags as reviewFlags } from "../report/review.ts";
import { flags as suggestFlags } from "../report/suggest-role.ts";
import { flags as usageFlags } from "../report/usage.ts";

/**
 * `kubectl broker report KIND`: each kind lives in cli/report/<kind>.ts and exports `usage`,
 * `run` and `flags` like a command; it is loaded only when called. To add one: write its
 * module, add one line here, and spread its flags into `flags` below (shell completion
 * offers them).
 */
const REPORTS: Record<string, CommandEntry> = {
  rbac: { summary: "a cluster's standing RBAC risks (admins)", load: () => import("../report/rbac.ts") },
  usage: { summary: "permissions used through the gateway", load: () => import("../report/usage.ts") },
  unused: { summary: "roles, rules and permissions nobody used", load: () => import("../report/unused.ts") },
  access: { summary: "who accessed what, by person and resource", load: () => import("../report/access.ts") },
  "suggest-role": {
    summary: "the smallest role that allows what was used",
    load: () => import("../report/suggest-role.ts"),
  },
  review: { summary: "the access review to sign off (admins)", load: () => import("../report/review.ts") },
};

/** One synopsis per kind, with its flags (`report KIND --help` shows this whole text). */
export const usage = `kubectl broker report KIND [flags] [-o json|yaml]

${Object.entries(REPORTS)
  .map(([name, entry]) => `  ${name.padEnd(14)} ${entry.summary}`)
  .join("\n")}

kubectl broker report rbac --cluster C [-o json|yaml]
  --cluster C    the cluster to scan (required)

kubectl broker report usage [--since 30d] [--cluster C] [--role R|--user U|--grant ID|--ci-rule NAME]
kubectl broker report unused [--since 30d] [--cluster C]
kubectl broker report access [--since 24h] [--cluster C] [--namespace N] [--resource R] [--user U]
  --since D      the window back from now (at most reports.usageRetention)
  --role, --user, --grant, --ci-rule, --namespace, --resource   narrow the report

kubectl broker report review [--since 90d] [--unused-for 30d] [--older-than 7d] [--cluster C]
  --unused-for D standing access unused this long is flagged (within --since)
  --older-than D open grants started this long ago are listed
  -o json|yaml|wide

kubectl broker report suggest-role [--since 30d] (--user U|--grant ID|--role R|--ci-rule NAME) [--cluster C]
  --name NAME    the role's name (default suggested-<subject>)
  --bind-user U, --bind-serviceaccount NS/NAME   whom the bindings bind (default a placeholder)
  --as-broker-role   a ClusterRole and the roles: entry for the broker's config
  -o yaml|json   manifests for kubectl apply -f -`;

/** Every report's flags, for completion; each report parses its own. */
export const flags = {
  ...BROKER_FLAGS,
  ...OUTPUT_FLAG,
  ...usageFlags,
  ...accessFlags,
  ...reviewFlags,
  ...suggestFlags,
} as const satisfies ParseArgsOptionsConfig;

/** The kinds, which come before the flags: shell completion offers them. */
export const leading = Object.entries(REPORTS).map(([value, entry]) => ({
  value,
  description: entry.summary,
}));

export const outputs: readonly OutputChoice[] = ["json", "yaml"];

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const [kind, ...rest] = args;
  const entry = kind ? REPORTS[kind] : undefined;
  if (!entry) {
    const kinds = Object.keys(REPORTS).join(", ");
    throw new UsageError(`report needs one of ${kinds}${kind ? `, not "${kind}"` : ""}`);
  }
  // Every kind's flags are known here, so that a flag of another kind is refused by name by
  // the kind itself, and anything else as unknown.
  parseFlags(rest, flags);
  const report = await entry.load();
  return report.run(rest, ctx);
}
