import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type httpProxy from "http-proxy";
import type { SessionTap } from "./session-recording.ts";
import type { PipeHandle } from "./spdy-pipe.ts";
import { targetOf, type Upstream } from "./upstream.ts";
import { WebSocketEnding } from "./websocket-ending.ts";

/** How long a client has to take the closing frames of a session the broker ended. */
const CLOSE_GRACE_MS = 1000;

/**
 * A WebSocket upgrade (exec, attach, port-forward) through http-proxy's ws(), seen as a
 * tunnel like the SPDY pipe: its status, its byte counts, and a close that can tell the
 * client why (websocket-ending.ts). A fresh connection per upgrade: upgraded sockets never
 * go back to a keep-alive pool.
 */
export function webSocketTunnel(options: {
  proxy: httpProxy;
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  upstream: Upstream;
  upstreamPath: string;
  headers: IncomingHttpHeaders;
  /** Registers the hook for http-proxy's shared "proxyReqWs" event, for this request. */
  onProxyRequest(hook: (proxyReq: ClientRequest) => void): void;
  /** Reads copies of what passes each way (session recording); the relay does not wait on it. */
  tap?: SessionTap;
}): PipeHandle {
  const { req, socket, head, tap } = options;
  let proxySocket: Duplex | undefined;
  let ending: WebSocketEnding | undefined;
  let onUpstreamClose = (): void => void socket.destroy();
  // http-proxy puts `head` back into the client socket (ws-incoming's socket.unshift): it
  // arrives as data below, counted and tapped there like the rest.
  let bytesIn = 0;
  let bytesOut = 0;
  const status = new Promise<number>((resolve) => {
    options.onProxyRequest((proxyReq) => {
      proxyReq.once("response", (res) => resolve(res.statusCode ?? 502));
      proxyReq.once("error", () => resolve(502));
      proxyReq.once("upgrade", (res: IncomingMessage, upstreamSocket: Duplex) => {
        proxySocket = upstreamSocket;
        resolve(101);
        tap?.negotiated(String(res.headers["sec-websocket-protocol"] ?? ""));
        socket.on("data", (c: Buffer) => {
          bytesIn += c.length;
          tap?.fromClient(c);
        });
        upstreamSocket.on("data", (c: Buffer) => {
          bytesOut += c.length;
          tap?.fromServer(c);
        });
        upstreamSocket.once("close", () => onUpstreamClose());
        // http-proxy pipes the cluster's side to the client right after this event; a
        // frame-by-frame relay takes its place, so the session can be ended cleanly.
        queueMicrotask(() => {
          upstreamSocket.unpipe(socket);
          const protocol = String(res.headers["sec-websocket-protocol"] ?? "");
          ending = new WebSocketEnding(upstreamSocket, socket, protocol);
          upstreamSocket.resume();
        });
      });
    });
  });
  req.url = options.upstreamPath;
  req.headers = options.headers;
  options.proxy.ws(req, socket, head, {
    ...targetOf(options.upstream),
    agent: false,
  } as httpProxy.ServerOptions);
  const close = (reason?: string) => {
    if (reason && ending) {
      // The client gets the reason, then the close frame; the socket ends after them.
      onUpstreamClose = () => {};
      ending.cut(reason);
      setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
    }
    proxySocket?.destroy();
  };
  return {
    status,
    close,
    bytes: () => ({ in: bytesIn, out: bytesOut }),
    pause: () => {
      socket.pause();
      proxySocket?.pause();
    },
    resume: () => {
      socket.resume();
      proxySocket?.resume();
    },
  };
}
