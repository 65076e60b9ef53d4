import { BROKER_FLAGS, OUTPUT_FLAG, outputFormat, parseFlags } from "../args.ts";
import { signedInClient } from "../broker/session-access.ts";
import type { CliContext } from "../context.ts";
import { type RequestView, requestsTable } from "../output/request-view.ts";
import { json } from "../output/table.ts";

export const usage = `kubectl broker requests [--pending] [--mine|--review] [-o json]

Lists access requests: your own and those you may approve, newest first.

  --pending   only those still waiting for a decision
  --mine      only your own
  --review    only those you may approve or deny`;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, {
    ...BROKER_FLAGS,
    ...OUTPUT_FLAG,
    pending: { type: "boolean" },
    mine: { type: "boolean" },
    review: { type: "boolean" },
  });
  const format = outputFormat(values.output);
  const query = new URLSearchParams({
    scope: values.mine ? "mine" : values.review ? "review" : "all",
    ...(values.pending ? { state: "pending" } : {}),
  });
  const { items } = await signedInClient(ctx, values).get<{ items: RequestView[] }>(`/v1/requests?${query}`);
  if (format === "json") await ctx.out(json({ items }));
  else if (items.length === 0) ctx.say("No access requests.");
  else await ctx.out(requestsTable(items, ctx.clock.now()));
  return 0;
}
