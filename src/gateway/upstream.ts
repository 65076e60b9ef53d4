import { Agent } from "node:https";
import type httpProxy from "http-proxy";
import type { ServerTrust } from "../cluster/index.ts";

/**
 * How long an idle keep-alive connection to the cluster is kept. It must end before the
 * server ends it, or a request sent on it as the server closes it fails ("socket hang up").
 * A server that announces its idle timeout (`Keep-Alive: timeout=N`) gets a second less
 * than that (Node's agent does this once any timeout is set); kube-apiserver, a Go server,
 * announces none and keeps idle connections for 90 s, and the load balancers usually in
 * front of it for 60 s or more, so 30 s stays below all of them.
 *
 * The same socket timeout also fires on a request in flight that is silent (a quiet
 * watch); Node only emits 'timeout' then and nothing here acts on it, so streams stay open.
 */
const IDLE_SOCKET_MS = 30_000;

/** Where the gateway forwards one cluster's traffic, and how it trusts it. */
export interface Upstream {
  cluster: string;
  url: URL;
  ca: Buffer | undefined;
  rejectUnauthorized: boolean;
  /** Keep-alive connections for ordinary requests (upgrades get their own sockets). */
  agent: Agent;
}

export function upstreamFor(cluster: string, trust: ServerTrust): Upstream {
  const { ca, rejectUnauthorized } = trust;
  return {
    cluster,
    url: trust.server,
    ca,
    rejectUnauthorized,
    agent: new Agent({
      keepAlive: true,
      maxFreeSockets: 256,
      timeout: IDLE_SOCKET_MS,
      ...(ca ? { ca } : {}),
      rejectUnauthorized,
    }),
  };
}

/** http-proxy's target for the cluster, trusting its CA. */
export function targetOf(upstream: Upstream): httpProxy.ServerOptions {
  return {
    target: upstream.url.origin,
    secure: upstream.rejectUnauthorized,
    ...(upstream.ca ? { ca: upstream.ca } : {}),
  } as httpProxy.ServerOptions;
}
