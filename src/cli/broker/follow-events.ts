import { setTimeout as sleep } from "node:timers/promises";
import { CliError } from "../cli-error.ts";
import type { BrokerClient } from "./broker-client.ts";
import { readEvents } from "./event-stream.ts";

/**
 * Follows a Server-Sent Events endpoint of the broker (/v1/audit/stream, /v1/alerts/stream)
 * until interrupted. When the connection drops (a broker restart, a proxy), it reconnects
 * with Last-Event-ID, so no event is skipped or shown twice; a refusal (401, 403, a bad
 * filter) ends it with the broker's message.
 */
export async function followEvents<T>(options: {
  client: BrokerClient;
  /** The stream's path with its query, such as /v1/audit/stream?user=ann. */
  path: string;
  /** What is followed, for the messages: "the audit trail", "alerts". */
  what: string;
  /** The stream's short name, for the message when it drops: "audit", "alert". */
  name: string;
  onEvent(event: T): Promise<void>;
  say(line: string): void;
}): Promise<never> {
  let lastId: string | undefined;
  let failures = 0;
  for (;;) {
    try {
      const res = await options.client.open(options.path, {
        headers: { accept: "text/event-stream", ...(lastId ? { "last-event-id": lastId } : {}) },
      });
      if (lastId === undefined && failures === 0)
        options.say(`kubectl-broker: following ${options.what} (Ctrl-C to stop)`);
      failures = 0;
      for await (const event of readEvents(res)) {
        lastId = event.id ?? lastId;
        await options.onEvent(JSON.parse(event.data) as T);
      }
    } catch (err) {
      // The broker said no: retrying would only say no again.
      if (err instanceof CliError && err.httpStatus !== undefined && err.httpStatus < 500) throw err;
      if (lastId === undefined && failures === 0 && err instanceof CliError) throw err;
      failures++;
    }
    options.say(`kubectl-broker: ${options.name} stream interrupted; reconnecting…`);
    await sleep(Math.min(10_000, 500 * 2 ** Math.min(failures, 5)));
  }
}
