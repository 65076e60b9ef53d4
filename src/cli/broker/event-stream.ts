import type { IncomingMessage } from "node:http";

/** One Server-Sent Event: its id (for Last-Event-ID on reconnect) and its data. */
export interface ServerSentEvent {
  id: string | undefined;
  data: string;
}

/** Reads a text/event-stream response event by event (comments and retry lines skipped). */
export async function* readEvents(res: IncomingMessage): AsyncGenerator<ServerSentEvent> {
  res.setEncoding("utf8");
  let buffer = "";
  let id: string | undefined;
  let data: string[] = [];
  for await (const chunk of res as AsyncIterable<string>) {
    buffer += chunk;
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf("\n");
      if (line === "") {
        if (data.length) yield { id, data: data.join("\n") };
        data = [];
        continue;
      }
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") data.push(value);
      else if (field === "id") id = value;
    }
  }
}
