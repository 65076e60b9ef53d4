import { setTimeout as sleep } from "node:timers/promises";
import type { ParseArgsOptionsConfig } from "node:util";
import { BROKER_FLAGS, OUTPUT_FLAG, parseFlags, required } from "../args.ts";
import type { BrokerClient } from "../broker/broker-client.ts";
import { signedInClient } from "../broker/session-access.ts";
import { CliError, UsageError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { durationFlag } from "../duration-flag.ts";
import { outputFormat, print } from "../output/output-format.ts";
import { startProgress } from "../output/progress.ts";
import {
  changedRequest,
  describeBreakGlass,
  describeRequest,
  type RequestView,
} from "../output/request-view.ts";

export const usage = `kubectl broker request --cluster C --role R [-n N]... --for 30m --reason "…" [--wait] [-o json|yaml|name|jsonpath=…]
       kubectl broker request --cluster C --role R [-n N]... --for 30m --break-glass --reason "…"

Asks for just-in-time access: approvers are notified, and once approved a grant starts that
ends by itself after --for. Prints the request's ID on stdout (id=$(kubectl broker request …));
-o prints the request instead, in its final state with --wait. With --wait, waits for the
decision (up to --timeout, default the request's own expiry), showing how long on stderr, and
then prints the command that puts the access in a kubeconfig.

--break-glass is for emergencies, where a request rule allows it: the access is granted at
once with no approver, for at most the rule's break-glass maximum. The reason is required;
the grant is audited as break-glass, always alerted on, and listed in access reviews.`;

const POLL_MS = 2000;

export const flags = {
  ...BROKER_FLAGS,
  ...OUTPUT_FLAG,
  cluster: { type: "string" },
  role: { type: "string" },
  namespace: { type: "string", short: "n", multiple: true },
  for: { type: "string" },
  reason: { type: "string" },
  "break-glass": { type: "boolean" },
  wait: { type: "boolean" },
  timeout: { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, flags);
  const format = outputFormat(values.output);
  const client = signedInClient(ctx, values);
  const durationSeconds = durationFlag(required(values.for, "for"), "for", 0) / 1000;
  const timeoutMs = durationFlag(values.timeout, "timeout", 86_400_000);
  const breakGlass = values["break-glass"] === true;
  if (breakGlass && !values.reason?.trim())
    throw new UsageError(
      '--break-glass needs --reason "…": the incident, and why it cannot wait for an approver',
    );
  let request = await client.post<RequestView>("/v1/requests", {
    cluster: required(values.cluster, "cluster"),
    role: required(values.role, "role"),
    namespaces: values.namespace ?? [],
    duration: durationSeconds,
    reason: values.reason ?? "",
    ...(breakGlass ? { breakGlass: true } : {}),
  });
  // The ID is the result, out at once: a script has it even if the wait is interrupted.
  if (format.kind === "table") await print(ctx, format, changedRequest(request));
  ctx.say(request.breakGlass ? describeBreakGlass(request) : describeRequest(request));
  if (values.wait && request.state === "pending") {
    request = await waitForDecision(ctx, client, request, timeoutMs);
    // Anything but approval is the error below, said once.
    if (request.state === "approved") ctx.say(describeRequest(request));
  }
  if (format.kind !== "table") await print(ctx, format, changedRequest(request));
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

async function waitForDecision(
  ctx: CliContext,
  client: BrokerClient,
  pending: RequestView,
  timeoutMs: number,
): Promise<RequestView> {
  const until = Math.min(Date.parse(pending.expiresAt), ctx.clock.now() + timeoutMs);
  const waiting = (r: RequestView) =>
    `Waiting for approval (${r.approvals.length} of ${r.approvalsRequired}); Ctrl-C stops waiting, not the request`;
  const progress = startProgress(ctx, waiting(pending));
  let request = pending;
  try {
    while (request.state === "pending" && ctx.clock.now() < until) {
      await sleep(POLL_MS);
      request = await client.get<RequestView>(`/v1/requests/${encodeURIComponent(request.id)}`);
      progress.update(waiting(request));
    }
  } finally {
    progress.done();
  }
  return request;
}
