import type { KubeConfig } from "@kubernetes/client-node";
import type { ClusterConfig } from "../config/schema.ts";
import { gatewayAudience } from "../grants/grant-cluster.ts";
import type { GatewayCluster } from "./admission.ts";
import { ClusterKeys } from "./cluster-keys.ts";
import { JwksTokenAuthenticator, TokenReviewAuthenticator } from "./token-authenticator.ts";
import { upstreamFor } from "./upstream.ts";

/** The gateway's view of one cluster: where to forward, and how to check presented tokens. */
export function gatewayCluster(config: ClusterConfig, kubeConfig: KubeConfig): GatewayCluster {
  // Tokens handed out carry the gateway audience in gateway mode, the API's in api mode.
  const audiences = config.tokenAudience === "gateway" ? [gatewayAudience(config)] : config.apiAudiences;
  const authenticator =
    config.tokenVerification === "tokenreview"
      ? new TokenReviewAuthenticator({ kubeConfig, audiences })
      : new JwksTokenAuthenticator({ keys: new ClusterKeys({ kubeConfig }), audiences });
  return { config, upstream: upstreamFor(config.name, kubeConfig), authenticator };
}
