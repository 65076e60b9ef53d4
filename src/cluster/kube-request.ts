import { request } from "node:https";
import { Unavailable } from "../shared/errors.ts";
import type { KubeConnection } from "./kube-connection.ts";
import { KubeApiError } from "./kube-errors.ts";

/** How long one call to the API server may take. */
const TIMEOUT_MS = 10_000;

export interface KubeRequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  accept?: string;
}

/**
 * One request to the API server with the broker's own credentials: the answer's status and
 * text, whatever the status.
 */
export async function kubeRequest(
  connection: KubeConnection,
  method: "GET" | "POST" | "DELETE",
  path: string,
  options: KubeRequestOptions = {},
): Promise<{ status: number; body: string }> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { accept: options.accept ?? "application/json" };
  if (payload !== undefined) headers["content-type"] = "application/json";
  const { agent, headers: sent } = await connection.requestOptions(headers);
  const url = new URL(path, connection.server);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: sent, agent, timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Unavailable(`${method} ${path} timed out`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** A call whose answer is a JSON object: it, or a KubeApiError with the cluster's Status. */
export async function kubeJson<T>(
  connection: KubeConnection,
  method: "GET" | "POST" | "DELETE",
  path: string,
  options: KubeRequestOptions = {},
): Promise<T> {
  const answer = await kubeRequest(connection, method, path, options);
  if (answer.status < 200 || answer.status >= 300) throw new KubeApiError(answer.status, answer.body);
  try {
    return JSON.parse(answer.body) as T;
  } catch {
    throw new KubeApiError(502, JSON.stringify({ message: `${method} ${path}: the answer is not JSON` }));
  }
}
