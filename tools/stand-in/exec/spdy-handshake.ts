/**
 * The SPDY/3.1 upgrade as apimachinery's httpstream.Handshake and the SPDY response upgrader do
 * it: the client offers stream protocols in X-Stream-Protocol-Version headers (repeated, or
 * comma-joined), the first of them the server supports is chosen (the client's order wins), and
 * the 101 names it. No header is a 400, no common protocol a 403 naming both lists.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { StatusError } from "../status.ts";

function offeredStreamProtocols(req: IncomingMessage): string[] {
  return (req.headersDistinct["x-stream-protocol-version"] ?? [])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Checks the offer (or throws the Status to refuse with), then writes the 101; returns the protocol. */
export function spdyHandshake(req: IncomingMessage, socket: Duplex, supported: string[]): string {
  const offered = offeredStreamProtocols(req);
  if (offered.length === 0) {
    throw new StatusError(400, "BadRequest", "unable to upgrade: X-Stream-Protocol-Version is required");
  }
  const chosen = offered.find((p) => supported.includes(p));
  if (chosen === undefined) {
    throw new StatusError(
      403,
      "Forbidden",
      `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(" ")}], server accepts [${supported.join(" ")}]`,
    );
  }
  switchToSpdy(socket, chosen);
  return chosen;
}

export function switchToSpdy(socket: Duplex, protocol: string | undefined): void {
  const lines = ["HTTP/1.1 101 Switching Protocols", "Connection: Upgrade", "Upgrade: SPDY/3.1"];
  if (protocol) lines.push(`X-Stream-Protocol-Version: ${protocol}`);
  socket.write(`${lines.join("\r\n")}\r\n\r\n`);
}
