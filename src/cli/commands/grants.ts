import type { ParseArgsOptionsConfig } from "node:util";
import { BROKER_FLAGS, OUTPUT_FLAG, parseFlags } from "../args.ts";
import { signedInClient } from "../broker/session-access.ts";
import type { CliContext } from "../context.ts";
import { type GrantView, grantList } from "../output/grant-view.ts";
import { outputFormat, print } from "../output/output-format.ts";

export const usage = `kubectl broker grants [--all] [--everyone] [-o json|yaml|name|wide|jsonpath=…]

Lists your active grants, newest first.

  --all        include ended grants
  --everyone   everyone's grants (admins only)
  -o FORMAT    json or yaml (the API's {items}), name (grant/ID per line), wide (more
               columns), jsonpath=TEMPLATE (kubectl's: -o jsonpath='{.items[*].id}')`;

export const flags = {
  ...BROKER_FLAGS,
  ...OUTPUT_FLAG,
  all: { type: "boolean" },
  everyone: { type: "boolean" },
} as const satisfies ParseArgsOptionsConfig;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, flags);
  const format = outputFormat(values.output);
  const query = new URLSearchParams({
    ...(values.all ? { all: "true" } : {}),
    ...(values.everyone ? { scope: "all" } : {}),
  }).toString();
  const { items } = await signedInClient(ctx, values).get<{ items: GrantView[] }>(
    `/v1/grants${query ? `?${query}` : ""}`,
  );
  await print(ctx, format, grantList(items, ctx.clock.now(), { withUser: values.everyone === true }));
  return 0;
}
