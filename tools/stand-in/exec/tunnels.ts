/**
 * Upgrades the stand-in does not interpret, only echoes, so a test can prove a proxy carries
 * them byte for byte: SPDY/3.1 on exec and portforward (kubectl's fallback), and WebSocket
 * port-forward — tunnelled SPDY (`SPDY/3.1+portforward.k8s.io`, echoed message by message) or
 * the channel protocol (`v4.channel.k8s.io`/`portforward.k8s.io`: each port's data and error
 * channels announced with the port number, data echoed on its channel).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";

export const PORT_FORWARD_PROTOCOLS = [
  "SPDY/3.1+portforward.k8s.io",
  "v4.channel.k8s.io",
  "portforward.k8s.io",
];

/** Answers 101 with SPDY/3.1 and the first offered stream protocol, then echoes every byte. */
export function echoSpdy(req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const offered = (req.headersDistinct["x-stream-protocol-version"] ?? [])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
  const lines = ["HTTP/1.1 101 Switching Protocols", "Connection: Upgrade", "Upgrade: SPDY/3.1"];
  if (offered[0]) lines.push(`X-Stream-Protocol-Version: ${offered[0]}`);
  socket.write(`${lines.join("\r\n")}\r\n\r\n`);
  if (head.length) socket.write(head);
  socket.on("data", (chunk: Buffer) => socket.write(chunk));
  socket.on("end", () => socket.end());
}

export function runPortForwardSession(ws: WebSocket, protocol: string, ports: number[]): void {
  if (protocol === "SPDY/3.1+portforward.k8s.io") {
    ws.on("message", (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary }));
    return;
  }
  ports.forEach((port, index) => {
    const number = Buffer.alloc(2);
    number.writeUInt16LE(port);
    ws.send(Buffer.concat([Buffer.from([index * 2]), number]));
    ws.send(Buffer.concat([Buffer.from([index * 2 + 1]), number]));
  });
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    if (isBinary && data.length > 1 && data[0]! % 2 === 0) ws.send(data);
  });
}
