import type { Entitlements } from "../../policy/index.ts";
import { formatDuration } from "../../shared/duration.ts";
import type { Principal } from "../../shared/principal.ts";
import { BROKER_FLAGS, OUTPUT_FLAG, parseFlags } from "../args.ts";
import { signedInClient } from "../broker/session-access.ts";
import type { CliContext } from "../context.ts";
import { outputFormat, print } from "../output/output-format.ts";
import { relativeTime } from "../output/table.ts";

export const usage = `kubectl broker whoami [-o json|yaml|name|jsonpath=…] [--server URL]

Who the broker knows you as, until when, and which roles you may hold or request.
-o name prints user/NAME; -o jsonpath='{.principal.name}' the name alone.`;

/** GET /v1/whoami (src/identity/session-routes.ts); the types are the server's own. */
interface Whoami {
  principal: Principal;
  admin: boolean;
  sessionExpiresAt: string;
  entitlements: Entitlements;
}

type Placement = Pick<Entitlements["standing"][number], "cluster" | "role" | "namespaces">;

export const flags = { ...BROKER_FLAGS, ...OUTPUT_FLAG };

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, flags);
  const format = outputFormat(values.output, undefined, "text");
  const me = await signedInClient(ctx, values).get<Whoami>("/v1/whoami");
  const now = ctx.clock.now();
  await print(ctx, format, {
    value: me,
    names: [`user/${me.principal.name}`],
    text: () => whoamiText(me, now),
  });
  return 0;
}

function whoamiText(me: Whoami, now: number): string {
  const where = (p: Placement) =>
    `${p.role} on ${p.cluster}${p.namespaces.length ? ` in ${p.namespaces.join(", ")}` : ""}`;
  const lines = [
    `User:     ${me.principal.name}`,
    `Groups:   ${me.principal.groups.join(", ") || "<none>"}`,
    // Only a broker with several identity providers names them ("default" is the only one).
    ...(me.principal.idp && me.principal.idp !== "default" ? [`Provider: ${me.principal.idp}`] : []),
    `Admin:    ${me.admin ? "yes" : "no"}`,
    `Session:  until ${me.sessionExpiresAt} (${relativeTime(me.sessionExpiresAt, now)})`,
    "Standing access:",
    ...listOrNone(
      me.entitlements.standing.map((e) => `${where(e)} (up to ${formatDuration(e.maxTtlSeconds)})`),
    ),
    "May request:",
    ...listOrNone(
      me.entitlements.requestable.map((e) => `${where(e)} (up to ${formatDuration(e.maxDurationSeconds)})`),
    ),
  ];
  return `${lines.join("\n")}\n`;
}

function listOrNone(items: string[]): string[] {
  return items.length ? items.map((item) => `  ${item}`) : ["  <none>"];
}
