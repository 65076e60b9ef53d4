import { Agent } from "node:https";
import type httpProxy from "http-proxy";
import { IDLE_SOCKET_MS, type ServerTrust } from "../cluster/index.ts";

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
