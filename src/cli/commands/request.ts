import { setTimeout as sleep } from "node:timers/promises";
import { BROKER_FLAGS, OUTPUT_FLAG, outputFormat, parseFlags, required } from "../args.ts";
import { signedInClient } from "../broker/session-access.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { durationFlag } from "../duration-flag.ts";
import { describeRequest, type RequestView } from "../output/request-view.ts";
import { json } from "../output/table.ts";

export const usage = `kubectl broker request --cluster C --role R [-n N]... --for 30m --reason "…" [--wait] [-o json]

Asks for just-in-time access: approvers are notified, and once approved a grant starts that
ends by itself after --for. With --wait, waits for the decision (up to --timeout, default
the request's own expiry) and then prints the command that puts the access in a kubeconfig.`;

const POLL_MS = 2000;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, {
    ...BROKER_FLAGS,
    ...OUTPUT_FLAG,
    cluster: { type: "string" },
    role: { type: "string" },
    namespace: { type: "string", short: "n", multiple: true },
    for: { type: "string" },
    reason: { type: "string" },
    wait: { type: "boolean" },
    timeout: { type: "string" },
  });
  const format = outputFormat(values.output);
  const client = signedInClient(ctx, values);
  const durationSeconds = durationFlag(required(values.for, "for"), "for", 0) / 1000;
  let request = await client.post<RequestView>("/v1/requests", {
    cluster: required(values.cluster, "cluster"),
    role: required(values.role, "role"),
    namespaces: values.namespace ?? [],
    duration: durationSeconds,
    reason: values.reason ?? "",
  });
  if (values.wait && request.state === "pending") {
    ctx.say(`${describeRequest(request)} Waiting for a decision (Ctrl-C stops waiting, not the request)…`);
    const until = Math.min(
      Date.parse(request.expiresAt),
      ctx.clock.now() + durationFlag(values.timeout, "timeout", 86_400_000),
    );
    while (request.state === "pending" && ctx.clock.now() < until) {
      await sleep(POLL_MS);
      request = await client.get<RequestView>(`/v1/requests/${encodeURIComponent(request.id)}`);
    }
  }
  if (format === "json") await ctx.out(json(request));
  else ctx.say(describeRequest(request));
  if (request.state === "approved" && request.grantId) {
    const ns = request.namespaces.map((n) => ` -n ${n}`).join("");
    ctx.say(`Use it: kubectl broker kubeconfig --cluster ${request.cluster} --role ${request.role}${ns}`);
  }
  if (values.wait && request.state !== "approved") {
    throw new CliError(
      request.state === "pending" ? `still pending after waiting: ${request.id}` : describeRequest(request),
    );
  }
  return 0;
}
