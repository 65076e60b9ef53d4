import { request } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { Unavailable } from "../shared/errors.ts";

/**
 * One request to the API server with the broker's own credentials, for what client-node's
 * typed APIs cannot say: a DELETE by resource name (delete-object.ts) and lists asking for
 * metadata only (an Accept header the generated clients do not let one set).
 */
export async function kubeRequest(
  kubeConfig: KubeConfig,
  method: "GET" | "DELETE",
  path: string,
  accept = "application/json",
): Promise<{ status: number; body: string }> {
  const options: Parameters<typeof request>[1] = { method, headers: { accept } };
  await kubeConfig.applyToHTTPSOptions(options);
  const url = new URL(path, kubeConfig.getCurrentCluster()!.server);
  return new Promise((resolve, reject) => {
    const req = request(url, { ...options, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on("timeout", () => req.destroy(new Unavailable(`${method} ${path} timed out`)));
    req.on("error", reject);
    req.end();
  });
}
