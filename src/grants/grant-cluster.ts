import { gatewayAudience } from "../config/gateway-audience.ts";
import type { ClusterConfig } from "../config/schema.ts";
import type { ClusterApi } from "./cluster-api.ts";

export { gatewayAudience };

/** A configured cluster together with the adapter that talks to it. */
export interface GrantCluster {
  config: ClusterConfig;
  api: ClusterApi;
}

export function handedOutAudiences(config: ClusterConfig): string[] {
  return config.tokenAudience === "gateway" ? [gatewayAudience(config)] : config.apiAudiences;
}
