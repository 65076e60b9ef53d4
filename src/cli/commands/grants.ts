import type { ParseArgsOptionsConfig } from "node:util";
import type { CreatedObject } from "../../audit/index.ts";
import { BROKER_FLAGS, OUTPUT_FLAG, parseFlags } from "../args.ts";
import { signedInClient } from "../broker/session-access.ts";
import { UsageError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { type GrantView, grantDetail, grantList } from "../output/grant-view.ts";
import { outputFormat, print } from "../output/output-format.ts";

export const usage = `kubectl broker grants [--all] [--everyone] [-o json|yaml|name|wide|jsonpath=…]
       kubectl broker grants show ID [-o json|yaml|name|jsonpath=…]

Lists your active grants, newest first; "show ID" shows one grant and every object created
through it (from the audit trail), what a role's clean-up deletes when the grant ends.

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
  if (args[0] === "show") return show(args.slice(1), ctx);
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

async function show(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(args, { ...BROKER_FLAGS, ...OUTPUT_FLAG }, 1);
  const id = positionals[0];
  if (!id)
    throw new UsageError("which grant? kubectl broker grants show ID (kubectl broker grants lists them)");
  const format = outputFormat(values.output);
  const client = signedInClient(ctx, values);
  const path = `/v1/grants/${encodeURIComponent(id)}`;
  const [grant, { items }] = await Promise.all([
    client.get<GrantView>(path),
    client.get<{ items: CreatedObject[] }>(`${path}/objects`),
  ]);
  await print(ctx, format, grantDetail(grant, items, ctx.clock.now()));
  return 0;
}
