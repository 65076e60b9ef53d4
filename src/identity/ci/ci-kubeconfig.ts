import { stringify } from "yaml";

export interface CiKubeconfigInput {
  /** The broker's public URL; the gateway serves each cluster under /clusters/<name>. */
  publicUrl: string;
  cluster: string;
  /** Base64 PEM of the CA that signs the broker's certificate, when it is not publicly trusted. */
  caData: string | undefined;
  token: string;
  namespace: string | undefined;
}

/** A ready kubeconfig for a CI job: one cluster (the gateway), one user (the token), one context. */
export function ciKubeconfig(input: CiKubeconfigInput): string {
  const user = `kube-broker-ci-${input.cluster}`;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: input.cluster,
        cluster: {
          server: `${input.publicUrl.replace(/\/+$/, "")}/clusters/${input.cluster}`,
          ...(input.caData ? { "certificate-authority-data": input.caData } : {}),
        },
      },
    ],
    users: [{ name: user, user: { token: input.token } }],
    contexts: [
      {
        name: input.cluster,
        context: {
          cluster: input.cluster,
          user,
          ...(input.namespace ? { namespace: input.namespace } : {}),
        },
      },
    ],
    "current-context": input.cluster,
    preferences: {},
  });
}
