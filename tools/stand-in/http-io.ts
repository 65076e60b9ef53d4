/** Reading request bodies and writing JSON / Status answers, for plain requests and raw upgrade sockets. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { parse as parseYaml } from "yaml";
import { decodeProtobufObject, PROTOBUF } from "./protobuf/envelope.ts";
import { asStatusError, badRequest, StatusError } from "./status.ts";

/** The real server's default limit for a request body. */
const MAX_BODY = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY)
      throw new StatusError(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A request body as JSON: sent as JSON, YAML or (typed Go clients) Kubernetes protobuf. */
export async function readObject(req: IncomingMessage): Promise<unknown> {
  const raw = await readBody(req);
  const type = req.headers["content-type"] ?? "";
  if (type.startsWith(PROTOBUF)) return decodeProtobufObject(raw);
  const body = raw.toString("utf8");
  try {
    return type.includes("yaml") ? parseYaml(body) : JSON.parse(body);
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const error = asStatusError(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, error.code, error.toStatus());
}

/** Answers a refused upgrade on the raw socket (no ServerResponse exists for upgrades). */
export function refuseUpgrade(socket: Duplex, err: unknown): number {
  const error = asStatusError(err);
  const body = JSON.stringify(error.toStatus());
  socket.end(
    `HTTP/1.1 ${error.code} ${STATUS_CODES[error.code] ?? ""}\r\n` +
      "Content-Type: application/json\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      "Connection: close\r\n\r\n" +
      body,
  );
  return error.code;
}

/** kubectl asks for `application/json;as=Table;v=v1;g=meta.k8s.io` when it wants to print. */
export function wantsTable(req: IncomingMessage): boolean {
  return /as=Table/.test(req.headers.accept ?? "");
}
