import { parse, parseDocument } from "yaml";
import { CliError } from "../cli-error.ts";

/**
 * The kubeconfig a CI exchange returns is the job's whole credential: the gateway URL (and
 * so the broker's), the CA and the grant's token. `revoke --self` reads it back from there,
 * so the job keeps no second copy of the token anywhere.
 */
export interface CiCredential {
  /** The broker's base URL (the gateway URL without /clusters/<name>). */
  server: string;
  cluster: string;
  token: string;
  caData: string | undefined;
}

/** Adds the CA the CLI was told to trust when the broker did not put one in. */
export function withCa(kubeconfig: string, caPem: string | undefined): string {
  if (!caPem) return kubeconfig;
  const doc = parseDocument(kubeconfig);
  const path = ["clusters", 0, "cluster", "certificate-authority-data"];
  if (doc.getIn(path)) return kubeconfig;
  doc.setIn(path, Buffer.from(caPem).toString("base64"));
  return doc.toString();
}

export function ciCredentialOf(kubeconfig: string, path: string): CiCredential {
  let config: KubeconfigShape;
  try {
    config = parse(kubeconfig) as KubeconfigShape;
  } catch {
    throw new CliError(`${path} is not a kubeconfig`);
  }
  const context = config?.contexts?.find((c) => c.name === config["current-context"])?.context;
  const cluster = config?.clusters?.find((c) => c.name === context?.cluster)?.cluster;
  const token = config?.users?.find((u) => u.name === context?.user)?.user?.token;
  const gateway = /^(.*)\/clusters\/([^/]+)\/?$/.exec(cluster?.server ?? "");
  if (!gateway || typeof token !== "string") {
    throw new CliError(
      `${path} holds no kube-broker CI credential (its current context has no gateway URL and token)`,
    );
  }
  return {
    server: gateway[1]!,
    cluster: decodeURIComponent(gateway[2]!),
    token,
    caData: cluster?.["certificate-authority-data"],
  };
}

interface KubeconfigShape {
  "current-context"?: string;
  contexts?: { name: string; context?: { cluster?: string; user?: string } }[];
  clusters?: { name: string; cluster?: { server?: string; "certificate-authority-data"?: string } }[];
  users?: { name: string; user?: { token?: string } }[];
}
