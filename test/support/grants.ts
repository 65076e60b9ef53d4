import { loadKubeConfig } from "../../src/cluster/kubeconfig.ts";
import { KubernetesCluster } from "../../src/cluster/kubernetes-cluster.ts";
import type { Config } from "../../src/config/schema.ts";
import type { ClusterApi } from "../../src/grants/cluster-api.ts";
import type { Grant } from "../../src/grants/grant.ts";
import type { GrantStore } from "../../src/grants/grant-store.ts";
import { wireGrants } from "../../src/grants/grants-wiring.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { randomId } from "../../src/shared/ids.ts";
import { silentLogger } from "../../src/shared/logger.ts";
import type { RedisHarness } from "../../tools/redis/redis-server.ts";
import { RecordingLifecycle } from "./fakes/recording-lifecycle.ts";

/**
 * One broker replica's grants feature, wired by the feature's own factory, over the test's
 * Redis: against the config's first cluster through client-node (the stand-in), or against
 * the `api` given (a FakeClusterApi for unit tests). Events land in a RecordingLifecycle.
 */
export function grantsFeature(
  config: Config,
  redis: RedisHarness,
  options: { api?: ClusterApi; lifecycle?: RecordingLifecycle } = {},
) {
  const cluster = config.clusters[0]!;
  const api =
    options.api ?? new KubernetesCluster({ name: cluster.name, kubeConfig: loadKubeConfig(cluster) });
  const lifecycle = options.lifecycle ?? new RecordingLifecycle();
  const clusters = new Map([[cluster.name, { config: cluster, api }]]);
  const feature = wireGrants({
    config: { ...config, redis: { ...config.redis, keyPrefix: redis.keyPrefix } },
    clusters,
    redis: redis.client(),
    replica: randomId(6),
    clock: systemClock,
    lifecycle,
    logger: silentLogger(),
  });
  return { ...feature, api, clusters, lifecycle };
}

/** Moves a grant's deadline (the minimum TTL is a minute; tests cannot wait that long). */
export async function moveDeadline(store: GrantStore, grant: Grant, expiresAt: number): Promise<Grant> {
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
