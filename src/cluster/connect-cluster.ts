import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ClusterConfig } from "../config/schema.ts";
import { type Credentials, KubeConnection, type ServerTrust } from "./kube-connection.ts";
import { pluginCredentials } from "./kube-plugin.ts";
import { defaultKubeconfigFiles, type KubeconfigSelection, readKubeconfig } from "./kubeconfig-file.ts";

/** Where a pod's service account is mounted. */
const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
/** A token file is read again after this long (the kubelet rotates projected tokens). */
const TOKEN_FILE_TTL_MS = 60_000;

/**
 * How the broker reaches one cluster, as configured: a kubeconfig file and context (or the
 * default loading rules), the pod's own service account, or a bearer token (file or env)
 * with server and CA. Explicit server/CA settings override what a kubeconfig says.
 */
export function connectCluster(cluster: ClusterConfig, env: NodeJS.ProcessEnv = process.env): KubeConnection {
  try {
    return connect(cluster, env);
  } catch (err) {
    // One line that names the cluster: the broker does not start, and says why.
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(
      message.startsWith(`cluster "${cluster.name}"`) ? message : `cluster "${cluster.name}": ${message}`,
    );
  }
}

function connect(cluster: ClusterConfig, env: NodeJS.ProcessEnv): KubeConnection {
  const { trust, credentials } = sourceOf(cluster, env);
  const ca = cluster.caData
    ? Buffer.from(cluster.caData, "base64")
    : cluster.caFile
      ? readFileSync(cluster.caFile)
      : undefined;
  return new KubeConnection(
    { ...trust, ...(cluster.server ? { server: new URL(cluster.server) } : {}), ...(ca ? { ca } : {}) },
    credentials,
  );
}

interface Source {
  trust: ServerTrust;
  credentials: () => Promise<Credentials>;
}

function sourceOf(cluster: ClusterConfig, env: NodeJS.ProcessEnv): Source {
  const auth = cluster.auth;
  switch (auth.kind) {
    case "kubeconfig": {
      const files = auth.file ? [auth.file] : defaultKubeconfigFiles(env);
      // As kubectl's loading rules: no kubeconfig at all means the pod's own account.
      if (files.length === 0) return inCluster(cluster, env);
      const selection = readKubeconfig(files, auth.context);
      return { trust: selection.trust, credentials: credentialsOf(selection) };
    }
    case "in-cluster":
      return inCluster(cluster, env);
    case "token": {
      const token = auth.tokenFile ? fileToken(auth.tokenFile) : fixedToken(requiredEnv(env, auth.tokenEnv!));
      return {
        trust: { server: new URL(cluster.server!), ca: undefined, rejectUnauthorized: true },
        credentials: token,
      };
    }
  }
}

function inCluster(cluster: ClusterConfig, env: NodeJS.ProcessEnv): Source {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!cluster.server && !(host && port)) {
    throw new Error(
      `cluster "${cluster.name}": in-cluster auth needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT (run the broker in the cluster, or set server)`,
    );
  }
  const server = new URL(cluster.server ?? `https://${host!.includes(":") ? `[${host}]` : host}:${port}`);
  const caFile = join(SERVICE_ACCOUNT_DIR, "ca.crt");
  return {
    trust: {
      server,
      ca: cluster.caData || cluster.caFile ? undefined : readIfThere(caFile),
      rejectUnauthorized: true,
    },
    credentials: fileToken(join(SERVICE_ACCOUNT_DIR, "token")),
  };
}

function credentialsOf(selection: KubeconfigSelection): () => Promise<Credentials> {
  const { user } = selection;
  if (user.plugin) {
    return pluginCredentials((config) => {
      // The merged files, as client-node merges KUBECONFIG's list, at the selected context.
      if (selection.files.length === 1) config.loadFromFile(selection.files[0]!);
      else config.loadFromDefault();
      config.setCurrentContext(selection.context);
    });
  }
  const cert = { cert: user.clientCertificate, key: user.clientKey };
  const token = user.token ? fixedToken(user.token) : user.tokenFile ? fileToken(user.tokenFile) : undefined;
  return async () => ({ headers: token ? (await token()).headers : {}, ...cert });
}

function fixedToken(token: string): () => Promise<Credentials> {
  const credentials = { headers: { authorization: `Bearer ${token}` } };
  return async () => credentials;
}

/** A token read from its file, and read again once a minute old (the kubelet rotates it). */
function fileToken(path: string): () => Promise<Credentials> {
  let cached: { credentials: Credentials; readAt: number } | undefined;
  return async () => {
    const now = Date.now();
    if (!cached || now - cached.readAt > TOKEN_FILE_TTL_MS) {
      const token = readFileSync(path, "utf8").trim();
      cached = { credentials: { headers: { authorization: `Bearer ${token}` } }, readAt: now };
    }
    return cached.credentials;
  };
}

function readIfThere(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function requiredEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} (the cluster token) is not set`);
  return value.trim();
}
