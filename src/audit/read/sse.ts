import type { Request, Response } from "express";

export interface EventStream {
  send(id: string, data: unknown): void;
  /** Ends the response (server side: shutting down, or the client is too slow). */
  end(): void;
  onClose(listener: () => void): void;
}

/** A client this far behind is cut off; it resumes from its Last-Event-ID, losing nothing. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * A Server-Sent Events response: `id:` and `data:` per event, comment heartbeats so
 * proxies do not time out an idle stream, and cleanup when either side leaves.
 */
export function openEventStream(req: Request, res: Response, options: { heartbeatMs: number }): EventStream {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  res.write("retry: 2000\n\n");
  const listeners: (() => void)[] = [];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const listener of listeners) listener();
  };
  const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), options.heartbeatMs);
  req.socket.setTimeout(0);
  res.on("close", close);
  const end = () => {
    if (!res.writableEnded) res.end();
    close();
  };
  return {
    send(id, data) {
      if (closed) return;
      // JSON.stringify escapes newlines, so the payload is one `data:` line.
      res.write(`id: ${id}\ndata: ${JSON.stringify(data)}\n\n`);
      if (res.writableLength > MAX_BUFFERED_BYTES) end();
    },
    end,
    onClose(listener) {
      if (closed) listener();
      else listeners.push(listener);
    },
  };
}
