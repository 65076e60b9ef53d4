/**
 * Child process: the bare http-proxy pass-through, on the broker's certificate, answering at
 * the same paths as the gateway (`/clusters/<name>/…`, the prefix removed) so that a client
 * cannot tell the two apart except by what they cost. WebSocket upgrades (exec) pass through
 * too; SPDY ones do not (http-proxy's ws() takes only WebSocket).
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
    const route = (url: string | undefined) => {
      const match = PREFIX.exec(url ?? "");
      const upstream = match ? upstreams[match[1]!] : undefined;
      return match && upstream ? { upstream, path: match[2] || "/" } : undefined;
    };
    const listener = await listenHttps(
      tls,
      (req, res) => {
        const to = route(req.url);
        if (to) proxy.forward(req, res, to.upstream, to.path);
        else res.writeHead(404).end();
      },
      (req, socket, head) => {
        const to = route(req.url);
        if (to) proxy.upgrade(req, socket, head, to.upstream, to.path);
        else socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      },
    );
    close = listener.close;
    return listener.url;
  },
  close: async () => {
    await close();
    proxy.close();
  },
});
