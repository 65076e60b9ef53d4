import { readFileSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import type { ClusterConfig } from "../config/schema.ts";

/**
 * How the broker authenticates to one cluster, as configured: a kubeconfig file and context,
 * the pod's own service account, or a bearer token (file or env) with server and CA.
 * Explicit server/CA settings override what a kubeconfig says.
 */
export function loadKubeConfig(cluster: ClusterConfig, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  const auth = cluster.auth;
  switch (auth.kind) {
    case "kubeconfig":
      if (auth.file) kc.loadFromFile(auth.file);
      else kc.loadFromDefault();
      if (auth.context) kc.setCurrentContext(auth.context);
      break;
    case "in-cluster":
      kc.loadFromCluster();
      break;
    case "token": {
      const user = auth.tokenFile
        ? { name: "broker", authProvider: { name: "tokenFile", config: { tokenFile: auth.tokenFile } } }
        : { name: "broker", token: requiredEnv(env, auth.tokenEnv!) };
      kc.loadFromClusterAndUser({ name: cluster.name, server: cluster.server!, skipTLSVerify: false }, user);
      break;
    }
  }
  const current = kc.getCurrentCluster();
  if (!current) throw new Error(`cluster "${cluster.name}": the kubeconfig has no current cluster`);
  const caData =
    cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString("base64") : undefined);
  if (cluster.server || caData) {
    // Cluster objects are read-only in client-node's types; replace rather than mutate.
    const patched = {
      ...current,
      ...(cluster.server ? { server: cluster.server } : {}),
      ...(caData ? { caData } : {}),
    };
    kc.clusters = kc.clusters.map((c) => (c.name === current.name ? patched : c));
  }
  return kc;
}

function requiredEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} (the cluster token) is not set`);
  return value.trim();
}
