/**
 * Upgrades other than the exec channel protocol. SPDY/3.1 on exec (kubectl's fallback) is
 * answered and echoed byte for byte, so a test can prove a proxy carries it untouched.
 * Port-forward is served as the API server and kubelet serve it (../portforward): SPDY/3.1
 * after a plain `Upgrade: SPDY/3.1`, the same SPDY tunnelled in WebSocket binary messages
 * (`SPDY/3.1+portforward.k8s.io`, KEP-4006), or the older WebSocket channel protocol
 * (`v4.channel.k8s.io`/`portforward.k8s.io`).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import { portForwardChannels, portForwardStreams } from "../portforward/kubelet-port-forward.ts";
import type { PodRef } from "../portforward/pod-ports.ts";
import { SpdySession } from "../portforward/spdy-session.ts";
import { StatusError } from "../status.ts";

/** What kubectl asks for inside SPDY, tunnelled or not; also the SPDY stream protocol offered. */
export const PORT_FORWARD_SPDY = "portforward.k8s.io";
export const SPDY_TUNNEL_PREFIX = "SPDY/3.1+";

export const PORT_FORWARD_PROTOCOLS = [
  `${SPDY_TUNNEL_PREFIX}${PORT_FORWARD_SPDY}`,
  "v4.channel.k8s.io",
  "portforward.k8s.io",
];

/** The stream protocols a SPDY upgrade offers (X-Stream-Protocol-Version, repeated or comma-joined). */
function offeredStreamProtocols(req: IncomingMessage): string[] {
  return (req.headersDistinct["x-stream-protocol-version"] ?? [])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
}

function switchToSpdy(socket: Duplex, protocol: string | undefined): void {
  const lines = ["HTTP/1.1 101 Switching Protocols", "Connection: Upgrade", "Upgrade: SPDY/3.1"];
  if (protocol) lines.push(`X-Stream-Protocol-Version: ${protocol}`);
  socket.write(`${lines.join("\r\n")}\r\n\r\n`);
}

/** Answers 101 with SPDY/3.1 and the first offered stream protocol, then echoes every byte. */
export function echoSpdy(req: IncomingMessage, socket: Duplex, head: Buffer): void {
  switchToSpdy(socket, offeredStreamProtocols(req)[0]);
  if (head.length) socket.write(head);
  socket.on("data", (chunk: Buffer) => socket.write(chunk));
  socket.on("end", () => socket.end());
}

/**
 * The SPDY upgrade of a port-forward, negotiated as apimachinery's httpstream.Handshake does
 * (the client must offer portforward.k8s.io), then the kubelet's SPDY streams on the socket.
 * Returns a function that ends the session (the pod went away).
 */
export function serveSpdyPortForward(req: IncomingMessage, socket: Duplex, head: Buffer, pod: PodRef) {
  const offered = offeredStreamProtocols(req);
  if (offered.length === 0) {
    throw new StatusError(400, "BadRequest", "unable to upgrade: X-Stream-Protocol-Version is required");
  }
  if (!offered.includes(PORT_FORWARD_SPDY)) {
    throw new StatusError(
      403,
      "Forbidden",
      `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(" ")}], server accepts [${PORT_FORWARD_SPDY}]`,
    );
  }
  switchToSpdy(socket, PORT_FORWARD_SPDY);
  const session = new SpdySession(
    { write: (bytes) => socket.write(bytes), close: () => socket.destroy() },
    portForwardStreams(pod),
  );
  socket.on("data", (chunk: Buffer) => session.receive(chunk));
  socket.on("close", () => session.closed());
  if (head.length) session.receive(head);
  return () => session.close();
}

/** A port-forward over WebSocket: tunnelled SPDY, or the channel protocol for `ports`. */
export function runPortForwardSession(ws: WebSocket, protocol: string, pod: PodRef, ports: number[]): void {
  if (!protocol.startsWith(SPDY_TUNNEL_PREFIX)) {
    portForwardChannels(ws, pod, ports);
    return;
  }
  const session = new SpdySession(
    {
      write: (bytes) => {
        if (ws.readyState === ws.OPEN) ws.send(bytes, { binary: true });
      },
      close: () => ws.close(1000),
    },
    portForwardStreams(pod),
  );
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    // The tunnel carries binary messages only (client-go's TunnelingConnection).
    if (isBinary) session.receive(data);
    else session.close();
  });
  ws.on("close", () => session.closed());
}
