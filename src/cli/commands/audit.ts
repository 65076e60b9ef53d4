import type { ParseArgsOptionsConfig } from "node:util";
import { BROKER_FLAGS, OUTPUT_FLAG, type OutputFormat, outputFormat, parseFlags } from "../args.ts";
import { type AuditEntry, formatEntry, shown } from "../audit/audit-lines.ts";
import { tailAudit } from "../audit/audit-tail.ts";
import type { BrokerClient } from "../broker/broker-client.ts";
import { signedInClient } from "../broker/session-access.ts";
import { UsageError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";

export const usage = `kubectl broker audit tail [filters] [-o json]
       kubectl broker audit query [--since 1h] [--until T] [--limit N] [filters] [-o json]
       kubectl broker audit export [--since T] [--until T] [filters]

tail follows new records as they are written; query pages through past ones; export writes
every matching record as JSON lines (for a SIEM or a file). One line per record: time, user,
verb, resource/name, namespace, status, decision. Admins see everyone's; others their own.

  --user U, --cluster C, -n/--namespace N, --verb V, --resource R,
  --decision allowed|denied-by-broker|denied-by-cluster|error,
  --type request|lifecycle, --phase start|end     filters (exact match)
  --since T, --until T    a duration ago (15m, 1h, 7d) or an RFC 3339 time
  --limit N               query: at most N records (default 500)
  -o json                 JSON lines instead of text`;

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
const PAGE_SIZE = 1000;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const [mode, ...rest] = args;
  if (mode !== "tail" && mode !== "query" && mode !== "export") {
    throw new UsageError(`audit needs tail, query or export${mode ? `, not "${mode}"` : ""}`);
  }
  const { values } = parseFlags(rest, {
    ...BROKER_FLAGS,
    ...OUTPUT_FLAG,
    ...FILTER_FLAGS,
    since: { type: "string" },
    until: { type: "string" },
    limit: { type: "string" },
  });
  const params = new URLSearchParams();
  for (const name of Object.keys(FILTER_FLAGS) as (keyof typeof FILTER_FLAGS)[]) {
    const value = values[name];
    if (value) params.set(name, value);
  }
  if (mode !== "tail" && values.until) params.set("until", values.until);
  const since = values.since ?? (mode === "query" ? "1h" : undefined);
  if (since) params.set("since", since);
  const format: OutputFormat = mode === "export" ? "json" : outputFormat(values.output);
  const client = signedInClient(ctx, values);
  const print = async (entry: AuditEntry) => {
    if (mode === "export" || shown(entry, values.phase)) await ctx.out(formatEntry(entry, format));
  };
  if (mode === "tail") return tailAudit({ client, query: params.toString(), onEntry: print, say: ctx.say });
  const limit = mode === "query" ? limitOf(values.limit) : Number.POSITIVE_INFINITY;
  const printed = await pages(client, params, limit, print);
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
