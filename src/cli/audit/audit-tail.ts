import { setTimeout as sleep } from "node:timers/promises";
import type { BrokerClient } from "../broker/broker-client.ts";
import { readEvents } from "../broker/event-stream.ts";
import { CliError } from "../cli-error.ts";
import type { AuditEntry } from "./audit-lines.ts";

/**
 * Follows /v1/audit/stream until interrupted. When the connection drops (a broker restart,
 * a proxy), it reconnects with Last-Event-ID, so no record is skipped or shown twice; a
 * refusal (401, 403, a bad filter) ends it with the broker's message.
 */
export async function tailAudit(options: {
  client: BrokerClient;
  query: string;
  onEntry(entry: AuditEntry): Promise<void>;
  say(line: string): void;
}): Promise<never> {
  let lastId: string | undefined;
  let failures = 0;
  for (;;) {
    try {
      const res = await options.client.open(`/v1/audit/stream${options.query ? `?${options.query}` : ""}`, {
        headers: { accept: "text/event-stream", ...(lastId ? { "last-event-id": lastId } : {}) },
      });
      if (lastId === undefined && failures === 0)
        options.say("kubectl-broker: following the audit trail (Ctrl-C to stop)");
      failures = 0;
      for await (const event of readEvents(res)) {
        lastId = event.id ?? lastId;
        await options.onEntry(JSON.parse(event.data) as AuditEntry);
      }
    } catch (err) {
      // The broker said no: retrying would only say no again.
      if (err instanceof CliError && err.httpStatus !== undefined && err.httpStatus < 500) throw err;
      if (lastId === undefined && failures === 0 && err instanceof CliError) throw err;
      failures++;
    }
    options.say("kubectl-broker: audit stream interrupted; reconnecting…");
    await sleep(Math.min(10_000, 500 * 2 ** Math.min(failures, 5)));
  }
}
