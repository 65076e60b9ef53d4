import type { ParseArgsOptionsConfig } from "node:util";
import { BROKER_FLAGS, OUTPUT_FLAG, parseFlags } from "../args.ts";
import { signedInClient } from "../broker/session-access.ts";
import type { CliContext } from "../context.ts";
import { outputFormat, print } from "../output/output-format.ts";
import { type RequestView, requestList } from "../output/request-view.ts";

export const usage = `kubectl broker requests [--pending] [--mine|--review] [-o json|yaml|name|wide|jsonpath=…]

Lists access requests: your own and those you may approve, newest first.

  --pending   only those still waiting for a decision
  --mine      only your own
  --review    only those you may approve or deny
  -o FORMAT   json or yaml (the API's {items}), name (request/ID per line), wide (more
              columns), jsonpath=TEMPLATE (kubectl's: -o jsonpath='{.items[*].id}')`;

export const flags = {
  ...BROKER_FLAGS,
  ...OUTPUT_FLAG,
  pending: { type: "boolean" },
  mine: { type: "boolean" },
  review: { type: "boolean" },
} as const satisfies ParseArgsOptionsConfig;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, flags);
  const format = outputFormat(values.output);
  const query = new URLSearchParams({
    scope: values.mine ? "mine" : values.review ? "review" : "all",
    ...(values.pending ? { state: "pending" } : {}),
  });
  const { items } = await signedInClient(ctx, values).get<{ items: RequestView[] }>(`/v1/requests?${query}`);
  await print(ctx, format, requestList(items, ctx.clock.now()));
  return 0;
}
