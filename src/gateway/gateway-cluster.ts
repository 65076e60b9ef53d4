import type { KubeConnection } from "../cluster/index.ts";
import type { ClusterConfig } from "../config/schema.ts";
import { gatewayAudience } from "../grants/index.ts";
import type { Clock } from "../shared/clock.ts";
import type { GatewayCluster } from "./admission.ts";
import { ClusterKeys } from "./cluster-keys.ts";
import { JwksTokenAuthenticator } from "./jwks-token-authenticator.ts";
import { TokenReviewAuthenticator } from "./token-review-authenticator.ts";
import { upstreamFor } from "./upstream.ts";

/** The gateway's view of one cluster: where to forward, and how to check presented tokens. */
export function gatewayCluster(
  config: ClusterConfig,
  connection: KubeConnection,
  clock: Clock,
): GatewayCluster {
  // Tokens handed out carry the gateway audience in gateway mode, the API's in api mode.
  const audiences = config.tokenAudience === "gateway" ? [gatewayAudience(config)] : config.apiAudiences;
  const authenticator =
    config.tokenVerification === "tokenreview"
      ? new TokenReviewAuthenticator({ connection, audiences, clock })
      : new JwksTokenAuthenticator({ keys: new ClusterKeys({ connection, clock }), audiences, clock });
  return { config, upstream: upstreamFor(config.name, connection.trust), authenticator };
}
