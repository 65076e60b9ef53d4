/**
 * Port-forward upgrades. Port-forward is served as the API server and kubelet serve it (../portforward): SPDY/3.1
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
import { spdyHandshake } from "./spdy-handshake.ts";

/** What kubectl asks for inside SPDY, tunnelled or not; also the SPDY stream protocol offered. */
export const PORT_FORWARD_SPDY = "portforward.k8s.io";
export const SPDY_TUNNEL_PREFIX = "SPDY/3.1+";

export const PORT_FORWARD_PROTOCOLS = [
  `${SPDY_TUNNEL_PREFIX}${PORT_FORWARD_SPDY}`,
  "v4.channel.k8s.io",
  "portforward.k8s.io",
];

/**
 * The SPDY upgrade of a port-forward, negotiated as apimachinery's httpstream.Handshake does
 * (the client must offer portforward.k8s.io), then the kubelet's SPDY streams on the socket.
 * Returns a function that ends the session (the pod went away).
 */
export function serveSpdyPortForward(req: IncomingMessage, socket: Duplex, head: Buffer, pod: PodRef) {
  spdyHandshake(req, socket, [PORT_FORWARD_SPDY]);
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
