import { BROKER_FLAGS, OUTPUT_FLAG, outputFormat, parseFlags } from "../args.ts";
import { signedInClient } from "../broker/session-access.ts";
import { UsageError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { describeRequest, type RequestView } from "../output/request-view.ts";
import { json } from "../output/table.ts";

/**
 * approve, deny and cancel: one request id, an optional comment, the request's new state.
 * The broker decides who may (approvers, never the requester; cancel: the requester only).
 */
export function decision(verb: "approve" | "deny" | "cancel") {
  const comment = verb === "cancel" ? "" : ` [--comment "…"]`;
  return {
    usage: `kubectl broker ${verb} REQUEST_ID${comment} [-o json]`,
    run: async (args: string[], ctx: CliContext): Promise<number> => {
      const { values, positionals } = parseFlags(
        args,
        { ...BROKER_FLAGS, ...OUTPUT_FLAG, comment: { type: "string" } },
        1,
      );
      const id = positionals[0];
      if (!id) throw new UsageError(`give the id of the request to ${verb} (see kubectl broker requests)`);
      if (verb === "cancel" && values.comment !== undefined)
        throw new UsageError("cancel takes no --comment");
      const body = values.comment ? { comment: values.comment } : {};
      const request = await signedInClient(ctx, values).post<RequestView>(
        `/v1/requests/${encodeURIComponent(id)}/${verb}`,
        body,
      );
      if (outputFormat(values.output) === "json") await ctx.out(json(request));
      else ctx.say(describeRequest(request));
      return 0;
    },
  };
}
