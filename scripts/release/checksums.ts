/**
 * `node scripts/release/checksums.ts`: the release's checksums file,
 * dist/release/kube-broker_v<version>_checksums.txt in sha256sum's format, over every file the
 * release publishes (not itself, nor the signature bundles made from it). The release
 * workflow runs it again after adding the deploy manifests pinned to the image's digest, then
 * signs it: one signature vouches for every asset (`sha256sum -c --ignore-missing`).
 */
import { createHash } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export function checksumsName(version: string): string {
  return `kube-broker_v${version}_checksums.txt`;
}

export async function writeChecksums(dir: string, version: string): Promise<string> {
  const own = checksumsName(version);
  const names = (await readdir(dir)).filter((n) => n !== own && !n.endsWith(".sigstore.json")).sort();
  const lines: string[] = [];
  for (const name of names) {
    const digest = createHash("sha256")
      .update(await readFile(join(dir, name)))
      .digest("hex");
    lines.push(`${digest}  ${name}\n`);
  }
  const file = join(dir, own);
  await writeFile(file, lines.join(""));
  return file;
}

if (import.meta.main) {
  const { RELEASE_DIR, packageVersion } = await import("./build.ts");
  console.log(await writeChecksums(RELEASE_DIR, await packageVersion()));
}
