import type { Entitlements } from "../../policy/index.ts";
import { formatDuration } from "../../shared/duration.ts";
import type { Principal } from "../../shared/principal.ts";
import { BROKER_FLAGS, OUTPUT_FLAG, outputFormat, parseFlags } from "../args.ts";
import { signedInClient } from "../broker/session-access.ts";
import type { CliContext } from "../context.ts";
import { json, relativeTime } from "../output/table.ts";

export const usage = `kubectl broker whoami [-o json] [--server URL]

Who the broker knows you as, until when, and which roles you may hold or request.`;

/** GET /v1/whoami (src/identity/session-routes.ts); the types are the server's own. */
interface Whoami {
  principal: Principal;
  admin: boolean;
  sessionExpiresAt: string;
  entitlements: Entitlements;
}

type Placement = Pick<Entitlements["standing"][number], "cluster" | "role" | "namespaces">;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, { ...BROKER_FLAGS, ...OUTPUT_FLAG });
  const format = outputFormat(values.output);
  const me = await signedInClient(ctx, values).get<Whoami>("/v1/whoami");
  if (format === "json") {
    await ctx.out(json(me));
    return 0;
  }
  const where = (p: Placement) =>
    `${p.role} on ${p.cluster}${p.namespaces.length ? ` in ${p.namespaces.join(", ")}` : ""}`;
  const lines = [
    `User:     ${me.principal.name}`,
    `Groups:   ${me.principal.groups.join(", ") || "<none>"}`,
    `Admin:    ${me.admin ? "yes" : "no"}`,
    `Session:  until ${me.sessionExpiresAt} (${relativeTime(me.sessionExpiresAt, ctx.clock.now())})`,
    "Standing access:",
    ...listOrNone(
      me.entitlements.standing.map((e) => `${where(e)} (up to ${formatDuration(e.maxTtlSeconds)})`),
    ),
    "May request:",
    ...listOrNone(
      me.entitlements.requestable.map((e) => `${where(e)} (up to ${formatDuration(e.maxDurationSeconds)})`),
    ),
  ];
  await ctx.out(`${lines.join("\n")}\n`);
  return 0;
}

function listOrNone(items: string[]): string[] {
  return items.length ? items.map((item) => `  ${item}`) : ["  <none>"];
}
