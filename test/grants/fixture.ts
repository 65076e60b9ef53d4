import { loadKubeConfig } from "../../src/cluster/kubeconfig.ts";
import { KubernetesCluster } from "../../src/cluster/kubernetes-cluster.ts";
import type { Config } from "../../src/config/schema.ts";
import { CredentialIssuer } from "../../src/grants/credentials.ts";
import { ExpiryWorker } from "../../src/grants/expiry-worker.ts";
import type { Grant } from "../../src/grants/grant.ts";
import type { GrantCluster } from "../../src/grants/grant-cluster.ts";
import { GrantService } from "../../src/grants/grant-service.ts";
import { RedisGrantStore } from "../../src/grants/redis-grant-store.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { silentLogger } from "../../src/shared/logger.ts";
import { RecordingLifecycle } from "../support/lifecycle.ts";
import type { RedisHarness } from "../support/redis.ts";

/** One broker replica's grants feature over real Redis and the stand-in (client-node adapter). */
export function grantsReplica(config: Config, redis: RedisHarness, lifecycle = new RecordingLifecycle()) {
  const cluster = config.clusters[0]!;
  const api = new KubernetesCluster({ name: cluster.name, kubeConfig: loadKubeConfig(cluster) });
  const clusters = new Map<string, GrantCluster>([[cluster.name, { config: cluster, api }]]);
  const store = new RedisGrantStore({ redis: redis.client(), keyPrefix: redis.keyPrefix });
  const logger = silentLogger();
  const grants = new GrantService({
    store,
    clusters,
    roles: config.roles,
    clock: systemClock,
    lifecycle,
    logger,
  });
  const issuer = new CredentialIssuer({ clusters, clock: systemClock, lifecycle, logger });
  const expiry = new ExpiryWorker({ store, grants, clock: systemClock, logger });
  return { api, clusters, store, grants, issuer, expiry, lifecycle };
}

/** Moves a grant's deadline (the minimum TTL is a minute; tests cannot wait that long). */
export async function moveDeadline(store: RedisGrantStore, grant: Grant, expiresAt: number): Promise<Grant> {
  const current = (await store.get(grant.id))!;
  const next = { ...current, version: current.version + 1, expiresAt };
  if (!(await store.compareAndSet(next))) throw new Error("grant changed meanwhile");
  return next;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}
