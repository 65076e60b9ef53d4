import type { IncomingMessage, ServerResponse } from "node:http";
import { Agent, createServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import httpProxy from "http-proxy";

export interface UpstreamTarget {
  url: string;
  caCert: string;
}

/**
 * The bare pass-through the gateway is measured against: http-proxy set up the way the
 * gateway sets up its own (gateway.ts, upstream.ts: changeOrigin, a keep-alive agent that
 * trusts the upstream's CA, no timeouts) and nothing else: no authentication, no audit.
 */
export class PassThrough {
  readonly #proxy = httpProxy.createProxyServer({ changeOrigin: true, xfwd: false });
  readonly #agents = new Map<string, Agent>();

  constructor() {
    this.#proxy.on("error", (err, _req, res) => {
      // An upgrade's error comes with its raw socket, which has no status line to write.
      if (typeof (res as ServerResponse).writeHead !== "function") {
        (res as Duplex).destroy();
        return;
      }
      const out = res as ServerResponse;
      if (typeof out.writeHead === "function" && !out.headersSent) out.writeHead(502);
      out.end?.(`pass-through: ${err.message}`);
    });
  }

  forward(req: IncomingMessage, res: ServerResponse, target: UpstreamTarget, path: string): void {
    let agent = this.#agents.get(target.url);
    if (!agent) {
      agent = new Agent({ keepAlive: true, maxFreeSockets: 256, ca: target.caCert });
      this.#agents.set(target.url, agent);
    }
    req.url = path;
    // As gateway.ts does: the CA goes to the request as well (it is part of the agent's pool key).
    const options = { target: target.url, agent, secure: true, ca: target.caCert };
    this.#proxy.web(req, res, options as httpProxy.ServerOptions);
  }

  /**
   * A WebSocket upgrade (exec): http-proxy's ws() on a fresh connection, as the gateway opens
   * one (websocket-tunnel.ts), and then only the two sockets piped together: no frame is read.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: UpstreamTarget, path: string): void {
    req.url = path;
    socket.on("error", () => socket.destroy());
    const options = { target: target.url, agent: false, secure: true, ca: target.caCert };
    this.#proxy.ws(req, socket, head, options as httpProxy.ServerOptions);
  }

  close(): void {
    this.#proxy.close();
    for (const agent of this.#agents.values()) agent.destroy();
  }
}

/** An HTTPS listener on a free loopback port; `onUpgrade` takes its upgrade requests. */
export async function listenHttps(
  tls: { cert: string | Buffer; key: string | Buffer },
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer({ cert: tls.cert, key: tls.key }, handler);
  if (onUpgrade) server.on("upgrade", onUpgrade);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
