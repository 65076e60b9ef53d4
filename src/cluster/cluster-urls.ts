import type { ClusterConfig, Config } from "../config/schema.ts";

/** Where kubectl reaches a cluster through the gateway. */
export interface ClusterUrls {
  /** What a kubeconfig should name: the prefix-free address when one serves the cluster. */
  server: string;
  /** https://<broker>/clusters/<name>: always served. */
  prefixed: string;
  /** The prefix-free gateway's address for this cluster, when there is one. */
  prefixFree?: string;
}

/**
 * The prefix-free listener (server.gateway) serves a cluster at <cluster>.<domain> when a
 * domain is set, and otherwise at its one address for every cluster whose tokens carry the
 * cluster's own gateway audience (api-mode tokens carry the API server's, which need not
 * tell clusters apart): see src/gateway/cluster-locator.ts.
 */
export function clusterUrls(config: Config, cluster: ClusterConfig): ClusterUrls {
  const base = config.server.publicUrl.endsWith("/")
    ? config.server.publicUrl
    : `${config.server.publicUrl}/`;
  const prefixed = new URL(`clusters/${cluster.name}`, base).href;
  const prefixFree = prefixFreeUrl(config, cluster);
  return { server: prefixFree ?? prefixed, prefixed, ...(prefixFree ? { prefixFree } : {}) };
}

function prefixFreeUrl(config: Config, cluster: ClusterConfig): string | undefined {
  const gateway = config.server.gateway;
  if (!gateway) return undefined;
  const url = new URL(gateway.publicUrl ?? config.server.publicUrl);
  if (!gateway.publicUrl) url.port = gateway.listen.slice(gateway.listen.lastIndexOf(":") + 1);
  url.pathname = "/";
  if (gateway.domain) url.hostname = `${cluster.name}.${gateway.domain}`;
  else if (cluster.tokenAudience !== "gateway") return undefined;
  // No trailing slash: kubectl joins API paths to the server URL as it is written.
  return url.href.replace(/\/$/, "");
}
