/**
 * The krew manifest of a release, from plugins/broker.template.yaml: ${VERSION} becomes the
 * package's version, ${SHA256_<OS>_<ARCH>} the sha256 of that platform's archive
 * (kubectl-broker_v<version>_<os>_<arch>.tar.gz, scripts/build-sea.ts) as the checksums file
 * lists it. A placeholder left unfilled is an error, never an empty field.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

export const KREW_PLUGIN = "broker";
export const KREW_TEMPLATE = join(
  new URL("../..", import.meta.url).pathname,
  "plugins",
  "broker.template.yaml",
);

/** sha256sum's format ("<hex>  <name>" a line) to name → hex. */
export function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^([a-f0-9]{64}) [ *](.+)$/.exec(line);
    if (match) sums.set(match[2]!, match[1]!);
  }
  return sums;
}

export function renderKrewManifest(
  template: string,
  version: string,
  checksums: Map<string, string>,
): string {
  const rendered = template
    .replace(/\$\{VERSION\}/g, version)
    .replace(/\$\{SHA256_([A-Z0-9]+_[A-Z0-9]+)\}/g, (_, platform: string) => {
      const archive = `kubectl-broker_v${version}_${platform.toLowerCase()}.tar.gz`;
      const sum = checksums.get(archive);
      if (!sum) throw new Error(`krew manifest: no checksum for ${archive} in the checksums file`);
      return sum;
    });
  const left = /\$\{[^}]*\}/.exec(rendered);
  if (left) throw new Error(`krew manifest: the template's ${left[0]} has no value`);
  return rendered;
}

export async function krewManifest(version: string, checksums: Map<string, string>): Promise<string> {
  return renderKrewManifest(await readFile(KREW_TEMPLATE, "utf8"), version, checksums);
}
