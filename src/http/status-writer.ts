import { type ServerResponse, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { type KubernetesStatus, toStatus } from "../shared/errors.ts";

/** Answers a plain request with a Kubernetes Status, if nothing was sent yet. */
export function writeStatus(res: ServerResponse, err: unknown): KubernetesStatus {
  const status = toStatus(err);
  if (!res.headersSent) {
    const body = JSON.stringify(status);
    const retry = status.details?.retryAfterSeconds;
    res.writeHead(status.code, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      ...(retry ? { "retry-after": String(retry) } : {}),
    });
    res.end(body);
  } else {
    res.destroy();
  }
  return status;
}

/** Answers an upgrade request (no ServerResponse exists) with a Status on the raw socket. */
export function writeSocketStatus(socket: Duplex, err: unknown): KubernetesStatus {
  const status = toStatus(err);
  const body = JSON.stringify(status);
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status.code} ${STATUS_CODES[status.code] ?? ""}\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  return status;
}
