import { Gauge, type Registry } from "prom-client";
import type { LifecycleSink } from "../audit/record.ts";
import type { Config } from "../config/schema.ts";
import type { Clock } from "../shared/clock.ts";
import { Lease } from "../shared/lease.ts";
import type { Logger } from "../shared/logger.ts";
import { keyspace, type RedisClient } from "../shared/redis.ts";
import { AccessService } from "./access-service.ts";
import { CredentialIssuer } from "./credentials.ts";
import { ExpiryWorker } from "./expiry-worker.ts";
import type { GrantCluster } from "./grant-cluster.ts";
import { GrantService } from "./grant-service.ts";
import { Reconciler } from "./reconciler.ts";
import { RedisGrantStore } from "./redis-grant-store.ts";

/**
 * The grants feature, wired: the store, the lifecycle service, credentials, the credentials
 * API's access logic, and the background work (expiry on every replica, reconcile under a
 * lease). `start`/`stop` run and drain the background work.
 */
export function createGrants(options: {
  config: Config;
  clusters: Map<string, GrantCluster>;
  redis: RedisClient;
  replica: string;
  clock: Clock;
  lifecycle: LifecycleSink;
  logger: Logger;
  metrics: Registry;
}) {
  const { config, clusters, redis, clock, lifecycle, logger } = options;
  const keyPrefix = config.redis.keyPrefix;
  const store = new RedisGrantStore({ redis, keyPrefix });
  const grants = new GrantService({ store, clusters, roles: config.roles, clock, lifecycle, logger });
  const issuer = new CredentialIssuer({ clusters, clock, lifecycle, logger });
  const access = new AccessService({ config, grants, store, issuer, now: () => clock.now() });
  const expiry = new ExpiryWorker({ store, grants, clock, logger });
  const lease = new Lease({
    redis,
    key: keyspace(keyPrefix, "grants")("reconcile-lease"),
    ttlMs: 30_000,
    holder: options.replica,
  });
  const reconciler = new Reconciler({ store, grants, clusters, lease, clock, logger });
  new Gauge({
    name: "kube_broker_grants_open",
    help: "Grants not yet ended (active or being provisioned), across all replicas.",
    registers: [options.metrics],
    async collect() {
      this.set(await store.countOpen().catch(() => 0));
    },
  });
  return {
    store,
    grants,
    issuer,
    access,
    expiry,
    reconciler,
    start: () => {
      expiry.start();
      reconciler.start();
    },
    stop: () => Promise.all([expiry.stop(), reconciler.stop()]),
  };
}
