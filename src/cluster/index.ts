/**
 * The clusters the broker brokers: how it reaches each one (kubeconfig, in-cluster, or a
 * token) and the grants feature's ClusterApi on the API server's REST calls, plus GET /v1/clusters
 * (each cluster's gateway URL and CA, for the CLI before anyone signs in) and a readiness
 * check per cluster. It owns no state.
 */
import type { ClusterConfig, Config } from "../config/schema.ts";
import type { GrantCluster } from "../grants/index.ts";
import type { Feature } from "../http/feature.ts";
import type { ReadinessCheck } from "../http/health-routes.ts";
import type { RbacReader } from "../reports/index.ts";
import { clusterRoutes } from "./cluster-routes.ts";
import { connectCluster } from "./connect-cluster.ts";
import type { KubeConnection } from "./kube-connection.ts";
import { kubeJson } from "./kube-request.ts";
import { KubernetesCluster } from "./kubernetes-cluster.ts";
import { KubernetesRbacReader } from "./kubernetes-rbac-reader.ts";

/**
 * One configured cluster, connected: how the broker reaches it, the grants adapter on it, and
 * what the RBAC report reads through.
 */
export interface ConnectedCluster extends GrantCluster {
  config: ClusterConfig;
  connection: KubeConnection;
  rbac: RbacReader;
}

export interface Clusters extends Feature {
  all: ConnectedCluster[];
  /** By name, for the grants feature. */
  byName: Map<string, ConnectedCluster>;
  readiness: ReadinessCheck[];
}

export function createClusters(deps: { config: Config; env: NodeJS.ProcessEnv }): Clusters {
  const all = deps.config.clusters.map((config) => {
    const connection = connectCluster(config, deps.env);
    const name = config.name;
    return {
      config,
      connection,
      api: new KubernetesCluster({ name, connection }),
      rbac: new KubernetesRbacReader({ name, connection }),
    };
  });
  return {
    all,
    byName: new Map(all.map((cluster) => [cluster.config.name, cluster])),
    readiness: all.map(({ config, connection }) => ({
      name: `cluster/${config.name}`,
      check: async () => void (await kubeJson(connection, "GET", "/version")),
    })),
    routes: () => [clusterRoutes(deps.config)],
    start: async () => {},
    stop: async () => {
      for (const { connection } of all) connection.close();
    },
  };
}

export { connectCluster } from "./connect-cluster.ts";
export { IDLE_SOCKET_MS, type KubeConnection, type ServerTrust } from "./kube-connection.ts";
export { kubeJson } from "./kube-request.ts";
export { KubernetesCluster } from "./kubernetes-cluster.ts";
