import { readFileSync } from "node:fs";
import { CliError } from "../cli-error.ts";

/**
 * The CA the person names for the broker: --certificate-authority FILE, else
 * KUBE_BROKER_CA_FILE. (NODE_EXTRA_CA_CERTS needs nothing from us: Node adds it itself.)
 */
export function namedCa(
  flag: string | undefined,
  env: Record<string, string | undefined>,
): string | undefined {
  const file = flag || env.KUBE_BROKER_CA_FILE;
  if (!file) return undefined;
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch (err) {
    throw new CliError(
      `cannot read the CA file ${file}: ${(err as NodeJS.ErrnoException).code ?? "unreadable"}`,
    );
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new CliError(`${file} holds no PEM certificate`);
  return pem;
}

/** certificate-authority-data (base64 PEM, as kubeconfigs and KUBERNETES_EXEC_INFO carry it). */
export function pemOfData(data: string | undefined): string | undefined {
  return data ? Buffer.from(data, "base64").toString("utf8") : undefined;
}

export function trustList(...pems: (string | undefined)[]): string[] {
  return [...new Set(pems.filter((pem): pem is string => !!pem))];
}
