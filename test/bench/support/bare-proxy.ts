/**
 * Child process: the bare http-proxy pass-through, on the broker's certificate, answering at
 * the same paths as the gateway (`/clusters/<name>/…`, the prefix removed) so that a client
 * cannot tell the two apart except by what they cost.
 */
import { readFileSync } from "node:fs";
import { serveParent } from "./ipc.ts";
import { listenHttps, PassThrough, type UpstreamTarget } from "./pass-through.ts";

export interface BareProxyArgs {
  certFile: string;
  keyFile: string;
  upstreams: Record<string, UpstreamTarget>;
}

const PREFIX = /^\/clusters\/([^/?]+)(.*)$/s;
const proxy = new PassThrough();
let close = async () => {};

serveParent({
  start: async ({ certFile, keyFile, upstreams }: BareProxyArgs) => {
    const tls = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
    const listener = await listenHttps(tls, (req, res) => {
      const match = PREFIX.exec(req.url ?? "");
      const upstream = match ? upstreams[match[1]!] : undefined;
      if (!match || !upstream) {
        res.writeHead(404).end();
        return;
      }
      proxy.forward(req, res, upstream, match[2] || "/");
    });
    close = listener.close;
    return listener.url;
  },
  close: async () => {
    await close();
    proxy.close();
  },
});
