import type { ParseArgsOptionsConfig } from "node:util";
import { BROKER_FLAGS, OUTPUT_FLAG, parseFlags } from "../args.ts";
import { followEvents } from "../broker/follow-events.ts";
import { signedInClient } from "../broker/session-access.ts";
import { UsageError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { alertList, alertName, alertRow, type LoggedAlert } from "../output/alert-view.ts";
import { outputFormat, print, renderStreamed } from "../output/output-format.ts";

export const usage = `kubectl broker alerts [--since 24h] [--severity warning] [--rule R] [--user U]
                      [--cluster C] [--limit N] [-w] [-o wide|json|yaml|name|jsonpath=…]

Lists the alerts that fired, newest first: when, how severe, the rule, whose request, where,
and what was done. Admins see every alert; others the alerts about themselves.

  --since T        a duration ago (15m, 24h, 7d) or an RFC 3339 time (default 24h)
  --severity S     info, warning or critical: that severity or higher
  --rule R, --user U, --cluster C     only those (exact)
  --limit N        at most N alerts (default 100)
  -w, --watch      then follow new alerts as they fire (Ctrl-C to stop)
  -o wide          also the alert id, source IP, kubectl command and the rule's action`;

export const flags = {
  ...BROKER_FLAGS,
  ...OUTPUT_FLAG,
  since: { type: "string" },
  severity: { type: "string" },
  rule: { type: "string" },
  user: { type: "string" },
  cluster: { type: "string" },
  limit: { type: "string" },
  watch: { type: "boolean", short: "w" },
} as const satisfies ParseArgsOptionsConfig;

const SEVERITIES = ["info", "warning", "critical"];

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, flags);
  const format = outputFormat(values.output);
  if (values.severity !== undefined && !SEVERITIES.includes(values.severity)) {
    throw new UsageError(`--severity must be one of ${SEVERITIES.join(", ")}, not "${values.severity}"`);
  }
  const filters = new URLSearchParams();
  for (const name of ["severity", "rule", "user", "cluster"] as const) {
    const value = values[name];
    if (value) filters.set(name, value);
  }
  const listing = new URLSearchParams(filters);
  listing.set("since", values.since ?? "24h");
  if (values.limit) listing.set("limit", values.limit);
  const client = signedInClient(ctx, values);
  const { items } = await client.get<{ items: LoggedAlert[] }>(`/v1/alerts?${listing}`);
  if (!values.watch) {
    await print(ctx, format, alertList(items, ctx.clock.now()));
    return 0;
  }
  // Watching: oldest first, as they came, then each new one as it fires (kubectl get -w).
  const wide = format.kind === "table" && format.wide;
  // A line per alert, with its time rather than an age that would go stale on screen.
  const line = (alert: LoggedAlert) =>
    [alert.at, ...alertRow(alert, ctx.clock.now(), wide).slice(1)].map((cell) => cell || "<none>").join("  ");
  for (const alert of [...items].reverse())
    await ctx.out(renderStreamed(format, alert, alertName(alert), line(alert)));
  const query = filters.toString();
  return followEvents<LoggedAlert>({
    client,
    path: `/v1/alerts/stream${query ? `?${query}` : ""}`,
    what: "alerts",
    name: "alert",
    onEvent: (alert) => ctx.out(renderStreamed(format, alert, alertName(alert), line(alert))),
    say: ctx.say,
  });
}
