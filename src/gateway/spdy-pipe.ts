import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { connect } from "node:tls";
import type { SessionTap } from "./session-recording.ts";
import type { Upstream } from "./upstream.ts";

export interface PipeHandle {
  /** Resolves with the upstream's status code once its response head has been relayed. */
  status: Promise<number>;
  /** Ends the tunnel; `reason` is told to the client where the protocol allows. */
  close(reason?: string): void;
  /** Byte counters, client → upstream and upstream → client. */
  bytes(): { in: number; out: number };
  /**
   * Stops reading both sides (the recorder has more unwritten than it may hold) until
   * `resume`: the session slows to what the recording can take, and loses nothing.
   */
  pause(): void;
  resume(): void;
}

/**
 * The gateway's own socket pipe for upgrades that are not WebSocket (kubectl's SPDY/3.1
 * fallback for exec, attach and port-forward), which http-proxy cannot carry. It writes the
 * request head upstream over TLS, then relays bytes both ways untouched, the 101 included;
 * it peeks at the first response line only to learn the status for the audit record.
 */
export function pipeUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  upstream: Upstream,
  path: string,
  headers: IncomingHttpHeaders,
  /** Reads copies of what passes each way (session recording); the relay does not wait on it. */
  tap?: SessionTap,
): PipeHandle {
  let bytesIn = head.length;
  let bytesOut = 0;
  const server = connect({
    host: upstream.url.hostname.replace(/^\[|\]$/g, ""),
    port: Number(upstream.url.port || 443),
    servername: isIp(upstream.url.hostname) ? undefined : upstream.url.hostname,
    ...(upstream.ca ? { ca: upstream.ca } : {}),
    rejectUnauthorized: upstream.rejectUnauthorized,
    ALPNProtocols: ["http/1.1"],
  });
  const close = () => {
    client.destroy();
    server.destroy();
  };
  const status = new Promise<number>((resolve) => {
    let first = "";
    const onData = (chunk: Buffer) => {
      first += chunk.toString("latin1");
      const end = first.indexOf("\r\n");
      if (end >= 0 || first.length > 1024) {
        server.off("data", onData);
        resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(first.slice(0, end))?.[1] ?? 502));
      }
    };
    server.on("data", onData);
    server.once("close", () => resolve(502));
  });

  server.once("secureConnect", () => {
    const lines = [`${req.method} ${path} HTTP/1.1`, `host: ${upstream.url.host}`];
    for (const [name, value] of Object.entries(headers)) {
      if (name === "host" || value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
    }
    server.write(`${lines.join("\r\n")}\r\n\r\n`);
    if (head.length > 0) {
      server.write(head);
      tap?.fromClient(head);
    }
    client.on("data", (chunk: Buffer) => {
      bytesIn += chunk.length;
      tap?.fromClient(chunk);
    });
    server.on("data", (chunk: Buffer) => {
      bytesOut += chunk.length;
      tap?.fromServer(chunk);
    });
    client.pipe(server);
    server.pipe(client);
  });
  server.on("error", close);
  client.on("error", close);
  client.on("close", () => server.destroy());
  server.on("close", () => client.destroy());
  return {
    status,
    close,
    bytes: () => ({ in: bytesIn, out: bytesOut }),
    pause: () => {
      client.pause();
      server.pause();
    },
    resume: () => {
      client.resume();
      server.resume();
    },
  };
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":") || host.startsWith("[");
}
