/**
 * A small HTTPS client for tests that talk to the stand-in (or to a gateway in front of it)
 * directly: trusts the stand-in's CA, sends a bearer token, returns status, headers and body.
 */

import type { IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";

export interface KubeRequest {
  method?: string;
  token?: string;
  /** An object is sent as JSON; a Buffer or string as is. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface KubeResponse {
  status: number;
  headers: IncomingMessage["headers"];
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface Target {
  url: string;
  caCert: string;
}

function encode(body: unknown): Buffer | undefined {
  if (body === undefined) return undefined;
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
}

/** Sends one request and resolves once the whole answer has arrived. */
export function kubeRequest(target: Target, path: string, options: KubeRequest = {}): Promise<KubeResponse> {
  const payload = encode(options.body);
  return new Promise((resolve, reject) => {
    const req = openRequest(target, path, options, payload);
    req.on("response", async (res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString("utf8");
      resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
    });
    req.on("error", reject);
  });
}

/** Starts a request and hands back the live response (for watch and `logs -f`). */
export function kubeStream(
  target: Target,
  path: string,
  options: KubeRequest = {},
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = openRequest(target, path, options, encode(options.body));
    req.on("response", resolve);
    req.on("error", reject);
  });
}

function openRequest(target: Target, path: string, options: KubeRequest, payload: Buffer | undefined) {
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (payload) {
    headers["content-type"] = options.contentType ?? "application/json";
    headers["content-length"] = String(payload.length);
  }
  const req = httpsRequest(new URL(path, target.url), {
    method: options.method ?? "GET",
    headers,
    ca: target.caCert,
  });
  req.end(payload);
  return req;
}

/**
 * Lines of a streaming body (watch events, followed logs), one at a time, without ending the
 * stream between reads. `next()` rejects when the stream ends first or nothing comes in time.
 */
export class LineReader {
  #lines: string[] = [];
  #partial = "";
  #ended = false;
  #waiting: (() => void) | undefined;
  readonly response: IncomingMessage;

  constructor(response: IncomingMessage) {
    this.response = response;
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => {
      const parts = (this.#partial + chunk).split("\n");
      this.#partial = parts.pop() ?? "";
      this.#lines.push(...parts);
      this.#waiting?.();
    });
    response.on("close", () => {
      this.#ended = true;
      this.#waiting?.();
    });
  }

  get ended(): boolean {
    return this.#ended;
  }

  async next(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.#lines.length === 0) {
      if (this.#ended) throw new Error("stream ended");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.#lines.shift()!;
  }

  /** Resolves once the server has ended the stream. */
  async end(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (!this.#ended) throw new Error(`stream still open after ${timeoutMs} ms`);
  }

  close(): void {
    this.response.destroy();
  }
}
