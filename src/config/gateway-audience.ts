import type { ClusterConfig } from "./schema.ts";

/** The audience of handed-out tokens in gateway mode (DESIGN.md "Audience"): one per cluster. */
export function gatewayAudience(config: ClusterConfig): string {
  return config.gatewayAudience ?? `kube-broker:${config.name}`;
}
