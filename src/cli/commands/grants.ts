import { BROKER_FLAGS, OUTPUT_FLAG, outputFormat, parseFlags } from "../args.ts";
import { signedInClient } from "../broker/session-access.ts";
import type { CliContext } from "../context.ts";
import { type GrantView, grantsTable } from "../output/grant-view.ts";
import { json } from "../output/table.ts";

export const usage = `kubectl broker grants [--all] [--everyone] [-o json]

Lists your active grants, newest first.

  --all        include ended grants
  --everyone   everyone's grants (admins only)
  -o json      the API's JSON`;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, {
    ...BROKER_FLAGS,
    ...OUTPUT_FLAG,
    all: { type: "boolean" },
    everyone: { type: "boolean" },
  });
  const format = outputFormat(values.output);
  const query = new URLSearchParams({
    ...(values.all ? { all: "true" } : {}),
    ...(values.everyone ? { scope: "all" } : {}),
  }).toString();
  const { items } = await signedInClient(ctx, values).get<{ items: GrantView[] }>(
    `/v1/grants${query ? `?${query}` : ""}`,
  );
  if (format === "json") await ctx.out(json({ items }));
  else if (items.length === 0) ctx.say("No grants.");
  else await ctx.out(grantsTable(items, ctx.clock.now(), { withUser: values.everyone === true }));
  return 0;
}
