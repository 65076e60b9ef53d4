/**
 * The gateway: kubectl traffic for /clusters/<name>/… on the broker's listener (and for any
 * path on the prefix-free listener, when server.gateway configures one), admitted
 * against an active grant, audited before a byte goes upstream, and cut when the grant ends
 * (gateway-proxy.ts explains the design). It owns the open connections of this replica and
 * the token checks for each cluster; grants and audit records belong to their features.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Registry } from "prom-client";
import type { AuditWriter } from "../audit/index.ts";
import type { KubeConnection } from "../cluster/index.ts";
import type { ClusterConfig, Config } from "../config/schema.ts";
import type { Grant } from "../grants/index.ts";
import type { Feature } from "../http/feature.ts";
import type { Clock } from "../shared/clock.ts";
import type { Logger } from "../shared/logger.ts";
import type { ApiTokenSource, GatewayCluster } from "./admission.ts";
import { byHostOrAudience, byPathPrefix } from "./cluster-locator.ts";
import { ConnectionRegistry } from "./connection-registry.ts";
import { endReason, RESTARTING } from "./end-reason.ts";
import { gatewayCluster } from "./gateway-cluster.ts";
import { createGatewayMetrics } from "./gateway-metrics.ts";
import { GatewayProxy } from "./gateway-proxy.ts";
import { type GrantFinder, GrantResolver } from "./grant-resolver.ts";
import { refusalHint } from "./refusal-hint.ts";
import { type GrantRevoker, selfRevokeRoutes } from "./self-revoke-routes.ts";
import type { SessionRecordings } from "./session-recording.ts";

export type { RequestContext } from "./audit-fields.ts";
export type { SessionControl, SessionRecordings, SessionTap } from "./session-recording.ts";

/** What the gateway needs from the grants feature. */
export interface GatewayGrants extends GrantFinder, ApiTokenSource, GrantRevoker {
  /** Every grant that ends, on any replica; `onResync` when announcements may have been missed. */
  subscribeEnded(onEnded: (grantId: string) => void, onResync: () => void): Promise<() => Promise<void>>;
  forgetApiToken(grantId: string): void;
  /** The grant as stored (an ended one says how it ended). */
  findById(grantId: string): Promise<Grant | undefined>;
}

/** How long the reason for a cut may take to look up before a plainer one is used. */
const REASON_LOOKUP_MS = 300;

export interface GatewayDeps {
  config: Config;
  clusters: { config: ClusterConfig; connection: KubeConnection }[];
  grants: GatewayGrants;
  audit: AuditWriter;
  /** Recording of exec and attach sessions (the recordings feature); none when absent. */
  recordings?: SessionRecordings;
  clock: Clock;
  logger: Logger;
  metrics: Registry;
}

export interface GatewayHandlers {
  handle(req: IncomingMessage, res: ServerResponse): void;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export interface Gateway extends Feature, GatewayHandlers {
  /** Whether a request on the broker's listener is the gateway's (/clusters/…). */
  serves(url: string | undefined): boolean;
  /** For the prefix-free listener (server.gateway), where every path is a cluster's own. */
  prefixFree: GatewayHandlers;
  /** Shutting down: ends this replica's long streams with a reason; ordinary requests go on. */
  endStreams(): number;
}

/**
 * The gateway, wired: its view of each cluster, the grant resolver, the registry of open
 * connections, and the subscription that cuts a grant's connections (and forgets its cached
 * tokens) the moment any replica announces its end.
 */
export function createGateway(deps: GatewayDeps): Gateway {
  const { grants, clock } = deps;
  const clusters = new Map<string, GatewayCluster>(
    deps.clusters.map((c) => [c.config.name, gatewayCluster(c.config, c.connection, clock)]),
  );
  const resolver = new GrantResolver({ grants, clock });
  const roles = new Map(deps.config.roles.map((role) => [role.name, role]));
  const connections = new ConnectionRegistry({ clock });
  const proxy = new GatewayProxy({
    clusters,
    resolver,
    apiTokens: grants,
    audit: deps.audit,
    ...(deps.recordings ? { recordings: deps.recordings } : {}),
    connections,
    metrics: createGatewayMetrics(deps.metrics, () => connections.open),
    logger: deps.logger,
    clock,
    trustProxy: deps.config.server.trustProxy,
    refusalHint: (grant, attrs) => refusalHint(deps.config, grant, attrs),
    guard: {
      settingsOf: (grant) => roles.get(grant.role)?.guard ?? { mode: "enforce", delegation: "none" },
      now: () => clock.now(),
    },
  });
  const byPrefix = byPathPrefix(clusters);
  const prefixFree = byHostOrAudience(clusters, {
    domain: deps.config.server.gateway?.domain,
    brokerUrl: deps.config.server.publicUrl,
  });
  let unsubscribe = async () => {};
  return {
    serves: (url) => url?.startsWith("/clusters/") ?? false,
    handle: (req, res) => void proxy.handle(req, res, byPrefix),
    handleUpgrade: (req, socket, head) => void proxy.handleUpgrade(req, socket, head, byPrefix),
    prefixFree: {
      handle: (req, res) => void proxy.handle(req, res, prefixFree),
      handleUpgrade: (req, socket, head) => void proxy.handleUpgrade(req, socket, head, prefixFree),
    },
    endStreams: () => connections.closeStreams(RESTARTING),
    routes: () => [selfRevokeRoutes({ clusters, resolver, grants })],
    start: async () => {
      unsubscribe = await grants.subscribeEnded(
        (grantId) => {
          resolver.forget(grantId);
          grants.forgetApiToken(grantId);
          if (!connections.has(grantId)) return;
          const plain = new Promise<undefined>((resolve) =>
            setTimeout(() => resolve(undefined), REASON_LOOKUP_MS).unref(),
          );
          const ended = grants.findById(grantId).catch(() => undefined);
          void Promise.race([ended, plain]).then((grant) =>
            connections.closeGrant(grantId, endReason(grantId, grant)),
          );
        },
        () => resolver.revalidateAll(),
      );
    },
    stop: async () => {
      connections.closeAll(RESTARTING);
      proxy.close();
      await unsubscribe();
    },
  };
}
