import { BROKER_FLAGS, OUTPUT_FLAG, parseFlags } from "../args.ts";
import { signedInClient } from "../broker/session-access.ts";
import { UsageError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { outputFormat, print } from "../output/output-format.ts";
import { changedRequest, describeRequest, type RequestView } from "../output/request-view.ts";

/**
 * approve, deny and cancel: one request id, an optional comment, the request's new state.
 * The broker decides who may (approvers, never the requester; cancel: the requester only).
 * The result on stdout is the request's ID (or the request, as -o asks); what happened to it
 * is said on stderr.
 */
export function decision(verb: "approve" | "deny" | "cancel") {
  const comment = verb === "cancel" ? "" : ` [--comment "…"]`;
  // cancel takes no --comment: withdrawing one's own request is explained to nobody.
  const flags =
    verb === "cancel"
      ? { ...BROKER_FLAGS, ...OUTPUT_FLAG }
      : ({ ...BROKER_FLAGS, ...OUTPUT_FLAG, comment: { type: "string" } } as const);
  return {
    usage: `kubectl broker ${verb} REQUEST_ID${comment} [-o json|yaml|name|jsonpath=…]

Prints the request's ID on stdout and its new state on stderr; -o prints the request instead.`,
    flags,
    run: async (args: string[], ctx: CliContext): Promise<number> => {
      const { values, positionals } = parseFlags(args, flags, 1);
      const format = outputFormat(values.output);
      const id = positionals[0];
      if (!id) throw new UsageError(`give the id of the request to ${verb} (see kubectl broker requests)`);
      const note = "comment" in values ? values.comment : undefined;
      const body = note ? { comment: note } : {};
      const request = await signedInClient(ctx, values).post<RequestView>(
        `/v1/requests/${encodeURIComponent(id)}/${verb}`,
        body,
      );
      if (format.kind === "table") ctx.say(describeRequest(request));
      await print(ctx, format, changedRequest(request));
      return 0;
    },
  };
}
