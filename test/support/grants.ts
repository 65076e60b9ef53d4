import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectCluster, KubernetesCluster } from "../../src/cluster/index.ts";
import type { Config } from "../../src/config/schema.ts";
import type { NewGrant } from "../../src/grants/grant-request.ts";
import type { GrantHistory } from "../../src/grants/grant-service.ts";
import { wireGrants } from "../../src/grants/grants-wiring.ts";
import type { ClusterApi } from "../../src/grants/index.ts";
import { type Clock, systemClock } from "../../src/shared/clock.ts";
import { randomId } from "../../src/shared/ids.ts";
import { silentLogger } from "../../src/shared/logger.ts";
import type { RedisHarness } from "../../tools/redis/redis-server.ts";
import { type StandIn, startStandIn } from "../../tools/stand-in/index.ts";
import { RecordingLifecycle } from "./fakes/recording-lifecycle.ts";
import { testConfig } from "./fakes/test-config.ts";

/**
 * One broker replica's grants feature, its parts wired as the feature wires them, over the
 * test's Redis: against the config's first cluster through client-node (the stand-in), or
 * against the `api` given (a FakeClusterApi). Events land in a RecordingLifecycle. Replicas
 * that should agree on the time share a `clock` (a JumpClock moves deadlines near).
 */
export function grantsFeature(
  config: Config,
  redis: RedisHarness,
  options: { api?: ClusterApi; lifecycle?: RecordingLifecycle; clock?: Clock; history?: GrantHistory } = {},
) {
  const cluster = config.clusters[0]!;
  const api =
    options.api ?? new KubernetesCluster({ name: cluster.name, connection: connectCluster(cluster) });
  const lifecycle = options.lifecycle ?? new RecordingLifecycle();
  const clusters = new Map([[cluster.name, { config: cluster, api }]]);
  const feature = wireGrants({
    config: { ...config, redis: { ...config.redis, keyPrefix: redis.keyPrefix } },
    clusters,
    redis: redis.client(),
    replica: randomId(6),
    clock: options.clock ?? systemClock,
    lifecycle,
    history: options.history ?? { objectsCreatedBy: async () => [] },
    logger: silentLogger(),
  });
  return { ...feature, api, clusters, lifecycle };
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

/** The namespace the test config's cluster keeps grants' ServiceAccounts in. */
export const GRANTS_NAMESPACE = "kube-broker-grants";

/** dev@example.com asking for view on team-a of cluster "test", for `overrides` to vary. */
export function viewGrant(overrides: Partial<NewGrant> = {}): NewGrant {
  return {
    principal: {
      kind: "user",
      subject: "dev",
      name: "dev@example.com",
      email: "dev@example.com",
      groups: [],
    },
    cluster: "test",
    role: "view",
    namespaces: ["team-a"],
    ttlSeconds: 3600,
    origin: "standing",
    reason: "",
    ...overrides,
  };
}

/**
 * The API stand-in in this process, seeded, with the grants namespace, and a test config whose
 * cluster "test" reaches it through the admin kubeconfig (in a temporary directory `close` removes).
 */
export async function grantsStandIn(): Promise<{ standIn: StandIn; config: Config; close(): Promise<void> }> {
  const standIn = await startStandIn();
  await standIn.seedDemo();
  standIn.store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: GRANTS_NAMESPACE } });
  const dir = await mkdtemp(join(tmpdir(), "kb-grants-"));
  const kubeconfig = join(dir, "admin.kubeconfig");
  await standIn.writeKubeconfig(kubeconfig);
  return {
    standIn,
    config: testConfig({ clusters: [{ name: "test", auth: { kind: "kubeconfig", file: kubeconfig } }] }),
    close: async () => {
      await standIn.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
