import { CliError } from "./cli-error.ts";

/**
 * The exec-credential protocol (REFERENCE.md "ExecCredential"): kubectl describes the call in
 * KUBERNETES_EXEC_INFO and reads one ExecCredential, in the same apiVersion, from stdout.
 */
const API_VERSIONS = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"] as const;
export type ExecApiVersion = (typeof API_VERSIONS)[number];

export interface ExecInfo {
  apiVersion: ExecApiVersion;
  /** kubectl's verdict on whether the plugin may prompt; undefined when run by hand. */
  interactive: boolean | undefined;
  /** Base64 PEM of the cluster's CA (provideClusterInfo: true); the gateway's CA is the broker's. */
  caData: string | undefined;
}

export function readExecInfo(raw: string | undefined): ExecInfo {
  if (!raw) return { apiVersion: API_VERSIONS[0], interactive: undefined, caData: undefined };
  let info: {
    apiVersion?: unknown;
    spec?: { interactive?: unknown; cluster?: { "certificate-authority-data"?: unknown } };
  };
  try {
    info = JSON.parse(raw) as typeof info;
  } catch {
    throw new CliError("KUBERNETES_EXEC_INFO is not JSON; is kubectl running this plugin?");
  }
  const apiVersion = API_VERSIONS.find((v) => v === info?.apiVersion);
  if (!apiVersion) {
    throw new CliError(
      `kubectl asked for ExecCredential ${String(info?.apiVersion)}; set the kubeconfig's exec apiVersion to ${API_VERSIONS.join(" or ")}`,
    );
  }
  const caData = info.spec?.cluster?.["certificate-authority-data"];
  return {
    apiVersion,
    interactive: typeof info.spec?.interactive === "boolean" ? info.spec.interactive : undefined,
    caData: typeof caData === "string" && caData !== "" ? caData : undefined,
  };
}

export function execCredential(
  apiVersion: ExecApiVersion,
  token: string,
  expirationTimestamp: string,
): string {
  return `${JSON.stringify({ apiVersion, kind: "ExecCredential", status: { token, expirationTimestamp } })}\n`;
}
