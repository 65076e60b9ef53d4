import { type KubeConfig, VersionApi } from "@kubernetes/client-node";
import type { ClusterConfig, Config } from "../config/schema.ts";
import type { ClusterApi } from "../grants/cluster-api.ts";
import type { ReadinessCheck } from "../http/health-routes.ts";
import { loadKubeConfig } from "./kubeconfig.ts";
import { KubernetesCluster } from "./kubernetes-cluster.ts";

/** One configured cluster, connected: how the broker reaches it and the grants adapter on it. */
export interface ConnectedCluster {
  config: ClusterConfig;
  kubeConfig: KubeConfig;
  api: ClusterApi;
  readiness: ReadinessCheck;
}

export function connectClusters(
  config: Config,
  env: NodeJS.ProcessEnv,
  override?: (cluster: ClusterConfig) => ClusterApi,
): ConnectedCluster[] {
  return config.clusters.map((cluster) => {
    const kubeConfig = loadKubeConfig(cluster, env);
    const version = kubeConfig.makeApiClient(VersionApi);
    return {
      config: cluster,
      kubeConfig,
      api: override?.(cluster) ?? new KubernetesCluster({ name: cluster.name, kubeConfig }),
      readiness: { name: `cluster/${cluster.name}`, check: async () => void (await version.getCode()) },
    };
  });
}
