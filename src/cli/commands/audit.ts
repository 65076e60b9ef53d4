import type { ParseArgsOptionsConfig } from "node:util";
import { BROKER_FLAGS, OUTPUT_FLAG, parseFlags } from "../args.ts";
import { type AuditEntry, auditLine, auditName, auditTable, shown } from "../audit/audit-lines.ts";
import type { BrokerClient } from "../broker/broker-client.ts";
import { followEvents } from "../broker/follow-events.ts";
import { signedInClient } from "../broker/session-access.ts";
import { UsageError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { type OutputFormat, outputFormat, renderStreamed } from "../output/output-format.ts";

export const usage = `kubectl broker audit tail [filters] [-o wide|json|yaml|name|jsonpath=…]
       kubectl broker audit query [--since 1h] [--until T] [--limit N] [filters] [-o …]
       kubectl broker audit export [--since T] [--until T] [filters]

tail follows new records as they are written; query pages through past ones; export writes
every matching record as JSON lines (for a SIEM or a file). One line per record: time, user,
the kubectl command, verb, resource, object name, namespace, status and result (allowed,
denied-by-broker, …); lifecycle events show the event as the verb and their detail as the
result. Admins see everyone's records; others their own.

  --user U, --cluster C, -n/--namespace N, --verb V, --resource R,
  --decision allowed|denied-by-broker|denied-by-cluster|error,
  --type request|lifecycle, --phase start|end     filters (exact match)
  --since T, --until T    a duration ago (15m, 1h, 7d) or an RFC 3339 time
  --limit N               query: at most N records (default 500)
  -o wide                 also cluster, role, grant, duration and source IP
  -o json                 JSON lines, one record per line (yaml: a document per record;
                          name: record/ID; jsonpath=TEMPLATE: the template per record)`;

const FILTER_FLAGS = {
  user: { type: "string" },
  cluster: { type: "string" },
  namespace: { type: "string", short: "n" },
  verb: { type: "string" },
  resource: { type: "string" },
  decision: { type: "string" },
  type: { type: "string" },
  phase: { type: "string" },
} as const satisfies ParseArgsOptionsConfig;
/** The flags after the mode (`audit tail --cluster prod`). */
export const flags = {
  ...BROKER_FLAGS,
  ...OUTPUT_FLAG,
  ...FILTER_FLAGS,
  since: { type: "string" },
  until: { type: "string" },
  limit: { type: "string" },
} as const satisfies ParseArgsOptionsConfig;
const PAGE_SIZE = 1000;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const [mode, ...rest] = args;
  if (mode !== "tail" && mode !== "query" && mode !== "export") {
    throw new UsageError(`audit needs tail, query or export${mode ? `, not "${mode}"` : ""}`);
  }
  const { values } = parseFlags(rest, flags);
  if (mode === "export" && values.output !== undefined)
    throw new UsageError("audit export always writes JSON lines; it takes no --output");
  const params = new URLSearchParams();
  for (const name of Object.keys(FILTER_FLAGS) as (keyof typeof FILTER_FLAGS)[]) {
    const value = values[name];
    if (value) params.set(name, value);
  }
  if (mode !== "tail" && values.until) params.set("until", values.until);
  const since = values.since ?? (mode === "query" ? "1h" : undefined);
  if (since) params.set("since", since);
  const format: OutputFormat = mode === "export" ? { kind: "json" } : outputFormat(values.output);
  const client = signedInClient(ctx, values);
  const wide = format.kind === "table" && format.wide;
  const streamed = (entry: AuditEntry) =>
    renderStreamed(format, entry, auditName(entry), auditLine(entry, wide));
  if (mode === "tail") {
    const onEntry = async (entry: AuditEntry) => {
      if (shown(entry, values.phase)) await ctx.out(streamed(entry));
    };
    const query = params.toString();
    const path = `/v1/audit/stream${query ? `?${query}` : ""}`;
    return followEvents({
      client,
      path,
      what: "the audit trail",
      name: "audit",
      onEvent: onEntry,
      say: ctx.say,
    });
  }
  // A query's text is one table, lined up, so it is printed once every page is in.
  const table: AuditEntry[] = [];
  const onEntry = async (entry: AuditEntry) => {
    if (mode === "query" && !shown(entry, values.phase)) return;
    if (format.kind === "table") table.push(entry);
    else await ctx.out(streamed(entry));
  };
  const limit = mode === "query" ? limitOf(values.limit) : Number.POSITIVE_INFINITY;
  const printed = await pages(client, params, limit, onEntry);
  if (format.kind === "table") {
    if (table.length > 0) await ctx.out(auditTable(table, wide));
    else ctx.say("No audit records.");
  }
  if (printed >= limit)
    ctx.say(
      `kubectl-broker: showing the first ${limit} records; narrow the filters, raise --limit or use audit export`,
    );
  return 0;
}

/** Follows nextCursor until the range is exhausted or `limit` records were handed over. */
async function pages(
  client: BrokerClient,
  params: URLSearchParams,
  limit: number,
  onEntry: (entry: AuditEntry) => Promise<void>,
): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page = new URLSearchParams(params);
    page.set("limit", String(Math.min(PAGE_SIZE, limit - count)));
    if (cursor) page.set("after", cursor);
    const answer: { items: AuditEntry[]; nextCursor: string | null } = await client.get(`/v1/audit?${page}`);
    for (const entry of answer.items) await onEntry(entry);
    count += answer.items.length;
    cursor = answer.nextCursor;
  } while (cursor && count < limit);
  return count;
}

function limitOf(value: string | undefined): number {
  if (value === undefined) return 500;
  const limit = /^\d+$/.test(value) ? Number(value) : 0;
  if (limit < 1) throw new UsageError(`--limit must be a positive whole number, not "${value}"`);
  return limit;
}
