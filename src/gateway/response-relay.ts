import type { IncomingMessage, ServerResponse } from "node:http";
import type httpProxy from "http-proxy";
// http-proxy's own steps for writing an upstream answer's head (status, headers, hop-by-hop
// handling); the gateway handles responses itself so that it can amend a refusal.
import webOutgoing from "http-proxy/lib/http-proxy/passes/web-outgoing.js";
import { createdName } from "./created-name.ts";

type OutgoingPass = (
  req: IncomingMessage,
  res: ServerResponse,
  proxyRes: IncomingMessage,
  options: httpProxy.ServerOptions,
) => boolean | undefined;
const PASSES = Object.values(webOutgoing as Record<string, OutgoingPass>);

/** A refusal body is a Status of a few hundred bytes; anything larger passes through as it is. */
const MAX_AMENDED_BYTES = 64 * 1024;

/**
 * Writes the upstream answer's status and headers the way http-proxy would, except the
 * connection's own: `Connection` and `Keep-Alive` describe the hop to the cluster, and
 * copying them would override what the client asked of its own connection (a client that
 * sent `Connection: close` would be kept open until the idle timeout). Node sets them for
 * the client's hop.
 */
export function writeHead(
  req: IncomingMessage,
  res: ServerResponse,
  proxyRes: IncomingMessage,
  options: httpProxy.ServerOptions,
): void {
  for (const pass of PASSES) if (pass(req, res, proxyRes, options)) break;
  res.removeHeader("connection");
  res.removeHeader("keep-alive");
}

/** Whether the answer is a Status the gateway may amend: JSON, not compressed, small. */
export function isAmendable(proxyRes: IncomingMessage): boolean {
  const type = String(proxyRes.headers["content-type"] ?? "");
  const length = Number(proxyRes.headers["content-length"] ?? 0);
  return (
    type.startsWith("application/json") &&
    !proxyRes.headers["content-encoding"] &&
    length <= MAX_AMENDED_BYTES
  );
}

/**
 * Relays a Status answer with `addition` appended to its message; a body that turns out not
 * to be a Status (or too large) is relayed unchanged.
 */
export function relayAmendedStatus(
  req: IncomingMessage,
  res: ServerResponse,
  proxyRes: IncomingMessage,
  options: httpProxy.ServerOptions,
  addition: () => string,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const collect = (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    if (size <= MAX_AMENDED_BYTES) return;
    // Not a Status after all: the rest streams through, unchanged.
    proxyRes.off("data", collect).off("end", finish);
    writeHead(req, res, proxyRes, options);
    res.write(Buffer.concat(chunks));
    proxyRes.pipe(res);
  };
  const finish = () => {
    const body = amended(Buffer.concat(chunks), addition);
    writeHead(req, res, proxyRes, options);
    res.removeHeader("transfer-encoding");
    res.setHeader("content-length", body.length);
    res.end(body);
  };
  proxyRes.on("data", collect).on("end", finish);
}

function amended(body: Buffer, addition: () => string): Buffer {
  try {
    const status = JSON.parse(body.toString("utf8")) as { kind?: unknown; message?: unknown };
    if (status.kind !== "Status" || typeof status.message !== "string") return body;
    status.message = `${status.message} — ${addition()}`;
    return Buffer.from(JSON.stringify(status));
  } catch {
    return body;
  }
}

/** A created object's answer is its own definition; past this size the name is not looked for. */
const MAX_CREATED_BYTES = 256 * 1024;

/**
 * Reads a create's answer as it streams to the client, for the name of what was made (the
 * audit record of a create names it; the request went to the collection).
 */
export function tapCreated(proxyRes: IncomingMessage, found: (name: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  proxyRes.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_CREATED_BYTES) chunks.push(chunk);
  });
  proxyRes.on("end", () => {
    if (size > MAX_CREATED_BYTES || proxyRes.headers["content-encoding"]) return;
    const name = createdName(String(proxyRes.headers["content-type"] ?? ""), Buffer.concat(chunks));
    if (name) found(name);
  });
}
