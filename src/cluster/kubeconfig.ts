import { readFileSync } from "node:fs";
import { Agent, type AgentOptions, type RequestOptions } from "node:https";
import { KubeConfig, type RequestContext } from "@kubernetes/client-node";
import type { ClusterConfig } from "../config/schema.ts";

/** Connections to one API server that the broker keeps open at most, per kind of client. */
const MAX_CONNECTIONS = 32;

/**
 * A KubeConfig whose clients share their connections. client-node 2 builds a new undici
 * Agent for every request of its typed APIs (and a keep-alive-less https.Agent for raw
 * requests), so every call paid for a TCP connection and a TLS handshake with a fresh secure
 * context: ending 5,000 grants at once spent most of its time there. The first request's
 * dispatcher is kept and handed to every later one (the ones built meanwhile are closed
 * unused), and raw requests go through one keep-alive agent.
 */
class SharedConnectionsKubeConfig extends KubeConfig {
  #dispatcher: ReturnType<RequestContext["getDispatcher"]>;
  #agent: Agent | undefined;

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    if (!fresh) return;
    if (!this.#dispatcher) {
      this.#dispatcher = fresh;
      return;
    }
    context.setDispatcher(this.#dispatcher);
    if (fresh !== this.#dispatcher) void fresh.close().catch(() => {});
  }

  override async applyToHTTPSOptions(options: RequestOptions): Promise<void> {
    await super.applyToHTTPSOptions(options);
    this.#agent ??= new Agent({
      ...(tlsOf(options) as AgentOptions),
      keepAlive: true,
      maxSockets: MAX_CONNECTIONS,
    });
    options.agent = this.#agent;
  }
}

/** The TLS settings applyToHTTPSOptions put on `options`, for an agent of our own. */
function tlsOf(options: RequestOptions): Partial<AgentOptions> {
  const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = options as AgentOptions;
  return Object.fromEntries(
    Object.entries({ ca, cert, key, pfx, passphrase, rejectUnauthorized, servername }).filter(
      ([, value]) => value !== undefined,
    ),
  );
}

/**
 * How the broker authenticates to one cluster, as configured: a kubeconfig file and context,
 * the pod's own service account, or a bearer token (file or env) with server and CA.
 * Explicit server/CA settings override what a kubeconfig says.
 */
export function loadKubeConfig(cluster: ClusterConfig, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new SharedConnectionsKubeConfig();
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
