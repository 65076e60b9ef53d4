import { makeServerTls } from "../../../tools/tls/server-tls.ts";
import { listenHttps, PassThrough, type UpstreamTarget } from "./pass-through.ts";

/** The request every gateway benchmark sends: a cheap GET of one object. */
export const CHEAP_PATH = "/api/v1/namespaces/team-a/pods/web-1";

/**
 * A trivial fast upstream, so that the stand-in's own cost (a TypeScript API server checks the
 * token's ServiceAccount on every request) cannot hide the gateway's: it answers GET
 * CHEAP_PATH with `{}` at once and passes everything else (JWKS, TokenRequest, grant objects)
 * to the stand-in, so the broker can treat it as one more cluster.
 */
export async function startFastUpstream(): Promise<
  UpstreamTarget & { setStandIn(target: UpstreamTarget): void; close(): Promise<void> }
> {
  const tls = await makeServerTls();
  const proxy = new PassThrough();
  let standIn: UpstreamTarget | undefined;
  const listener = await listenHttps(tls, (req, res) => {
    if (req.method === "GET" && req.url === CHEAP_PATH) {
      res.writeHead(200, { "content-type": "application/json", "content-length": "2" }).end("{}");
    } else if (standIn) {
      proxy.forward(req, res, standIn, req.url ?? "/");
    } else {
      res.writeHead(503).end();
    }
  });
  return {
    url: listener.url,
    caCert: tls.caCert,
    setStandIn: (target) => {
      standIn = target;
    },
    close: async () => {
      await listener.close();
      proxy.close();
    },
  };
}
