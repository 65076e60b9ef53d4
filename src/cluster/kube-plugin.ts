import type { RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Credentials } from "./kube-connection.ts";

/**
 * Credentials from a kubeconfig user that runs something: an exec plugin (`aws eks get-token`,
 * `gke-gcloud-auth-plugin`, kubelogin), an auth-provider, or basic auth. client-node's
 * KubeConfig runs these as kubectl would; it is loaded only for such a user, on the first
 * request, since its generated API code is most of the broker's heap otherwise (tens of MB
 * that every garbage collection would walk). `load` points the KubeConfig at the context.
 */
export function pluginCredentials(load: (config: KubeConfig) => void): () => Promise<Credentials> {
  let config: Promise<KubeConfig> | undefined;
  return async () => {
    config ??= import("@kubernetes/client-node").then(({ KubeConfig }) => {
      const kc = new KubeConfig();
      load(kc);
      return kc;
    });
    const options: RequestOptions = { headers: {} };
    await (await config).applyToHTTPSOptions(options);
    const headers: Record<string, string> = {};
    const authorization = (options.headers as Record<string, unknown>).Authorization;
    if (typeof authorization === "string") headers.authorization = authorization;
    else if (options.auth) headers.authorization = `Basic ${Buffer.from(options.auth).toString("base64")}`;
    return { headers, cert: options.cert as Credentials["cert"], key: options.key as Credentials["key"] };
  };
}
