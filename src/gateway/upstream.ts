import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import type httpProxy from "http-proxy";

/** Where the gateway forwards one cluster's traffic, and how it trusts it. */
export interface Upstream {
  cluster: string;
  url: URL;
  ca: Buffer | undefined;
  rejectUnauthorized: boolean;
  /** Keep-alive connections for ordinary requests (upgrades get their own sockets). */
  agent: Agent;
}

export function upstreamFor(cluster: string, kubeConfig: KubeConfig): Upstream {
  const current = kubeConfig.getCurrentCluster();
  if (!current) throw new Error(`cluster "${cluster}": no current cluster in its kubeconfig`);
  const url = new URL(current.server);
  const ca = current.caData
    ? Buffer.from(current.caData, "base64")
    : current.caFile
      ? readFileSync(current.caFile)
      : undefined;
  const rejectUnauthorized = !current.skipTLSVerify;
  return {
    cluster,
    url,
    ca,
    rejectUnauthorized,
    agent: new Agent({ keepAlive: true, maxFreeSockets: 256, ...(ca ? { ca } : {}), rejectUnauthorized }),
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
