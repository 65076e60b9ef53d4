import { readFileSync } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import type { Config } from "../config/schema.ts";
import { clientErrorAnswer } from "./client-error.ts";

/**
 * An HTTP(S) listener of the broker at `address` ("host:port"): its own, or the prefix-free
 * gateway's. Receiving a request has a time limit; answering one does not (watches, logs and
 * exec stay open as long as their grant).
 */
export async function listen(
  config: Config,
  address: string,
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
): Promise<{ server: Server; url: string }> {
  const httpOptions = { maxHeaderSize: config.limits.maxHeaderBytes };
  const tls = config.server.tls;
  const server = tls
    ? createHttpsServer(
        { ...httpOptions, cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) },
        onRequest,
      )
    : createHttpServer(httpOptions, onRequest);
  server.on("upgrade", onUpgrade);
  server.on("clientError", clientErrorAnswer(config.limits.maxHeaderBytes));
  server.requestTimeout = config.limits.requestTimeout * 1000;
  server.headersTimeout = Math.min(60_000, server.requestTimeout);

  const at = address.lastIndexOf(":");
  const host = address.slice(0, at).replace(/^\[|\]$/g, "");
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(address.slice(at + 1)), host, () => resolve());
  });
  const bound = server.address();
  const port = typeof bound === "object" && bound ? bound.port : 0;
  return { server, url: `${tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}` };
}
