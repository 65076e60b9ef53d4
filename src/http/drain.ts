import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { sleep } from "../shared/backoff.ts";

/**
 * A graceful stop for rolling restarts behind a load balancer. Once `drain()` starts:
 *
 * - /readyz answers 503 (the health routes ask `draining`), so the balancer stops sending,
 *   and for `delayMs` the listener still accepts, answering with `Connection: close`;
 * - the listeners (the broker's and the prefix-free gateway's) accept no new connection (the balancer retries those on another replica),
 *   and idle keep-alive connections are closed;
 * - requests under way finish, each answer saying `Connection: close` (set on answers not
 *   yet started; a connection whose answer had already started is closed once it is idle);
 * - long streams are ended at once: the caller's `endStreams` (the gateway's watches, logs
 *   and exec, with a reason the client shows), and Server-Sent Events, whose clients resume
 *   from their Last-Event-ID on another replica;
 * - after `timeoutMs`, whatever is still open is closed.
 */
export class Drain {
  readonly #inFlight = new Set<ServerResponse>();
  #draining = false;

  get draining(): boolean {
    return this.#draining;
  }

  /** Call first for every request on the listener. */
  track(_req: IncomingMessage, res: ServerResponse): void {
    if (this.#draining) res.shouldKeepAlive = false;
    this.#inFlight.add(res);
    res.once("close", () => this.#inFlight.delete(res));
  }

  /**
   * Resolves once every connection is closed: how long that took, how many streams were
   * ended, and how many requests the timeout cut.
   */
  async drain(
    servers: Server | Server[],
    options: { timeoutMs: number; delayMs?: number; endStreams(): number },
  ): Promise<{ ms: number; streams: number; cut: number }> {
    const started = performance.now();
    this.#draining = true;
    // Not ready, yet still accepting (each answer closing its connection), until the
    // balancer has noticed; closing at once would refuse what it still sends here.
    if (options.delayMs) await sleep(options.delayMs);
    const all = Array.isArray(servers) ? servers : [servers];
    const closed = Promise.all(
      all.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    for (const res of this.#inFlight) {
      if (!res.headersSent) res.shouldKeepAlive = false;
      else if (String(res.getHeader("content-type")).startsWith("text/event-stream")) res.end();
    }
    const streams = options.endStreams();
    // Connections whose answer had started with keep-alive go once that answer is done. Node
    // counts an answer done once it is ended, not once its last bytes have left (a slow
    // reader, a balancer's buffer full): closing then would drop the end of it, such as the
    // reason a watch was ended, so the sweep waits while any ended answer is still flushing.
    const flushing = () => [...this.#inFlight].some((res) => res.writableEnded && !res.writableFinished);
    const sweep = setInterval(() => {
      if (!flushing()) for (const server of all) server.closeIdleConnections();
    }, 50);
    const stopWaiting = new AbortController();
    const timedOut = await Promise.race([
      closed.then(() => false),
      sleep(options.timeoutMs, stopWaiting.signal).then(() => true),
    ]);
    stopWaiting.abort();
    clearInterval(sweep);
    const cut = timedOut ? this.#inFlight.size : 0;
    for (const server of all) server.closeAllConnections();
    // An upgraded socket is no longer the HTTP server's to close; its owner ends it.
    await Promise.race([closed, sleep(1000)]);
    return { ms: Math.round(performance.now() - started), streams, cut };
  }
}
