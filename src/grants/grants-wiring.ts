import type { LifecycleSink } from "../audit/index.ts";
import type { Config } from "../config/schema.ts";
import type { Clock } from "../shared/clock.ts";
import { Lease } from "../shared/lease.ts";
import type { Logger } from "../shared/logger.ts";
import { keyspace, type RedisClient } from "../shared/redis.ts";
import { AccessService } from "./access-service.ts";
import { CredentialIssuer } from "./credential-issuer.ts";
import { ExpiryWorker } from "./expiry-worker.ts";
import type { GrantCluster } from "./grant-cluster.ts";
import { type GrantHistory, GrantService } from "./grant-service.ts";
import { NamespaceSync } from "./namespace-sync.ts";
import { Reconciler } from "./reconciler.ts";
import { RedisGrantStore } from "./redis-grant-store.ts";
import { RedisSuspensionStore } from "./redis-suspension-store.ts";
import { SuspensionService } from "./suspension-service.ts";

export interface GrantsDeps {
  config: Config;
  /** Each configured cluster with the adapter that talks to it, by name. */
  clusters: Map<string, GrantCluster>;
  redis: RedisClient;
  /** This replica's name, for the reconcile lease. */
  replica: string;
  clock: Clock;
  lifecycle: LifecycleSink;
  /** What each grant created (the audit feature), for the clean-up its role asks. */
  history: GrantHistory;
  logger: Logger;
}

/**
 * The grants feature's parts, each given its collaborators: the store, the lifecycle service,
 * credentials, the credentials API's access logic, suspended standing access, expiry (on
 * every replica) and reconcile (under a lease). index.ts puts them behind the feature's
 * surface; tests of the parts use them directly.
 */
export function wireGrants(deps: GrantsDeps) {
  const { config, clusters, redis, clock, lifecycle, logger } = deps;
  const store = new RedisGrantStore({ redis, keyPrefix: config.redis.keyPrefix });
  const grants = new GrantService({
    store,
    history: deps.history,
    clusters,
    roles: config.roles,
    clock,
    lifecycle,
    logger,
  });
  const issuer = new CredentialIssuer({ clusters, clock, lifecycle, logger });
  const suspensions = new SuspensionService({
    suspensions: new RedisSuspensionStore({ redis, keyPrefix: config.redis.keyPrefix }),
    store,
    grants,
    clock,
    lifecycle,
    logger,
  });
  const access = new AccessService({ config, grants, store, issuer, suspensions, clock });
  const expiry = new ExpiryWorker({ store, grants, clock, logger });
  const lease = new Lease({
    redis,
    key: keyspace(config.redis.keyPrefix, "grants")("reconcile-lease"),
    ttlMs: 30_000,
    holder: deps.replica,
  });
  const reconciler = new Reconciler({ store, grants, clusters, lease, clock, logger });
  const namespaceSync = new NamespaceSync({
    store,
    clusters,
    roles: config.roles,
    lease: new Lease({
      redis,
      key: keyspace(config.redis.keyPrefix, "grants")("namespace-sync-lease"),
      ttlMs: 15_000,
      holder: deps.replica,
    }),
    lifecycle,
    logger,
  });
  return { store, grants, issuer, access, suspensions, expiry, reconciler, namespaceSync };
}
