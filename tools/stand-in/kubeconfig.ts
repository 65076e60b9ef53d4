/** Kubeconfig files that point kubectl (or any client) at the stand-in, trusting its CA. */
import { writeFile } from "node:fs/promises";
import { stringify } from "yaml";

export interface KubeconfigOptions {
  /** Bearer token of the user (default: the admin token). */
  token?: string;
  /** Name of the context, cluster and user entries (default "stand-in"). */
  context?: string;
  /** Default namespace of the context. */
  namespace?: string;
}

export function kubeconfigYaml(
  server: string,
  caCert: string,
  token: string,
  options: KubeconfigOptions = {},
): string {
  const name = options.context ?? "stand-in";
  const context: Record<string, string> = { cluster: name, user: name };
  if (options.namespace) context.namespace = options.namespace;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name, cluster: { server, "certificate-authority-data": Buffer.from(caCert).toString("base64") } },
    ],
    users: [{ name, user: { token } }],
    contexts: [{ name, context }],
    "current-context": name,
    preferences: {},
  });
}

export async function writeKubeconfigFile(
  path: string,
  server: string,
  caCert: string,
  token: string,
  options: KubeconfigOptions = {},
): Promise<void> {
  // 0600: it holds a bearer token, and kubectl warns about group-readable kubeconfigs.
  await writeFile(path, kubeconfigYaml(server, caCert, token, options), { mode: 0o600 });
}
