import type { KubeConfig } from "@kubernetes/client-node";
import type { Router } from "express";
import type { Registry } from "prom-client";
import type { AuditWriter } from "../audit/writer.ts";
import type { ClusterConfig, Config } from "../config/schema.ts";
import type { CredentialIssuer } from "../grants/credentials.ts";
import type { GrantService } from "../grants/grant-service.ts";
import type { GrantStore } from "../grants/grant-store.ts";
import type { Clock } from "../shared/clock.ts";
import type { Logger } from "../shared/logger.ts";
import type { GatewayCluster } from "./admission.ts";
import { ConnectionRegistry } from "./connections.ts";
import { Gateway } from "./gateway.ts";
import { gatewayCluster } from "./gateway-cluster.ts";
import { createGatewayMetrics } from "./gateway-metrics.ts";
import { GrantResolver } from "./grant-resolver.ts";
import { selfRevokeRoutes } from "./self-revoke-routes.ts";

/**
 * The gateway, wired: its view of each cluster, the grant resolver, the registry of open
 * connections, and the subscription that cuts a grant's connections (and forgets its cached
 * tokens) the moment any replica announces its end.
 */
export function createGateway(options: {
  config: Config;
  clusters: { config: ClusterConfig; kubeConfig: KubeConfig }[];
  store: GrantStore;
  grants: GrantService;
  issuer: CredentialIssuer;
  audit: AuditWriter;
  clock: Clock;
  logger: Logger;
  metrics: Registry;
}): { gateway: Gateway; routes: Router; start(): Promise<void>; stop(): Promise<void> } {
  const { store, issuer, clock } = options;
  const clusters = new Map<string, GatewayCluster>(
    options.clusters.map((c) => [c.config.name, gatewayCluster(c.config, c.kubeConfig)]),
  );
  const resolver = new GrantResolver({ store, now: () => clock.now() });
  const connections = new ConnectionRegistry();
  const gateway = new Gateway({
    clusters,
    resolver,
    credentials: issuer,
    audit: options.audit,
    connections,
    metrics: createGatewayMetrics(options.metrics, () => connections.open),
    logger: options.logger,
    trustProxy: options.config.server.trustProxy,
  });
  let unsubscribe = async () => {};
  return {
    gateway,
    routes: selfRevokeRoutes({ clusters, resolver, grants: options.grants }),
    start: async () => {
      unsubscribe = await store.subscribeEnded(
        (grantId) => {
          resolver.forget(grantId);
          issuer.forget(grantId);
          connections.closeGrant(grantId);
        },
        () => resolver.forget(),
      );
    },
    stop: async () => {
      connections.closeAll();
      gateway.close();
      await unsubscribe();
    },
  };
}
