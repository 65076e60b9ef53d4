import type { ClusterConfig } from "../config/schema.ts";
import type { ClusterApi } from "./cluster-api.ts";

/** A configured cluster together with the adapter that talks to it. */
export interface GrantCluster {
  config: ClusterConfig;
  api: ClusterApi;
}

/** The audience of handed-out tokens (DESIGN.md "Audience"). */
export function gatewayAudience(config: ClusterConfig): string {
  return config.gatewayAudience ?? `kube-broker:${config.name}`;
}

export function handedOutAudiences(config: ClusterConfig): string[] {
  return config.tokenAudience === "gateway" ? [gatewayAudience(config)] : config.apiAudiences;
}
