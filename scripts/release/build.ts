/**
 * `npm run release:build`: every file a release publishes, into dist/release/, built here the
 * same way the release workflow (.github/workflows/release.yml) builds it (there through
 * `npm run release:prepare`, ./prepare.ts, which pins the CI integrations right after):
 *
 * - kubectl-broker_v<version>_{linux_x64,linux_arm64,windows_x64}.tar.gz: the single
 *   executables, and kubectl-broker_v<version>_checksums.txt, theirs alone (scripts/build-sea.ts);
 * - kube-broker_v<version>_{npm,image}.cdx.json: CycloneDX SBOMs (./sbom.ts);
 * - broker.yaml: the krew manifest for krew-index, from plugins/broker.template.yaml with the
 *   archives' sha256, refused here if krew's rules would refuse it (./krew-rules.ts);
 * - kube-broker_v<version>_checksums.txt over all of them (./checksums.ts).
 *
 * The image, its signature and the deploy manifests pinned to its digest need a registry and
 * come later in the workflow.
 */
import { execFileSync } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { parse } from "yaml";
import { buildSea, SEA_TARGETS } from "../build-sea.ts";
import { writeChecksums } from "./checksums.ts";
import { KREW_PLUGIN, krewManifest } from "./krew-manifest.ts";
import { checkInstall, type Plugin, validateManifestFile } from "./krew-rules.ts";
import { writeSboms } from "./sbom.ts";

const root = new URL("../..", import.meta.url).pathname;
export const RELEASE_DIR = join(root, "dist", "release");

export async function packageVersion(): Promise<string> {
  return (JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { version: string }).version;
}

export interface ReleaseFiles {
  version: string;
  archives: string[];
  /** kubectl-broker_v<version>_checksums.txt: the archives' alone, what the CI integrations pin. */
  archiveChecksums: string;
  sboms: { npm: string; image: string };
  krewManifest: string;
  checksums: string;
}

export async function buildRelease(dir = RELEASE_DIR): Promise<ReleaseFiles> {
  const version = await packageVersion();
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // Archives built into a directory of this build's own, then copied: dist/sea is anyone's.
  const seaOut = await mkdtemp(join(tmpdir(), "kb-release-sea-"));
  const artifacts = await buildSea(SEA_TARGETS, seaOut);
  const archives: string[] = [];
  for (const artifact of artifacts) {
    const archive = join(dir, basename(artifact.archive));
    await copyFile(artifact.archive, archive);
    archives.push(archive);
  }
  // The archives' own checksums file too, as build-sea writes it: what the CI integrations pin
  // from (scripts/pin-ci-integrations.ts).
  const archiveChecksums = join(dir, `kubectl-broker_v${version}_checksums.txt`);
  await copyFile(join(seaOut, basename(archiveChecksums)), archiveChecksums);
  await rm(seaOut, { recursive: true, force: true });
  const sboms = await writeSboms(version, dir);
  const sums = new Map(artifacts.map((a) => [basename(a.archive), a.sha256]));
  const manifest = await krewManifest(version, sums);
  refuseWhatKrewWould(`${KREW_PLUGIN}.yaml`, manifest, archives);
  const krewFile = join(dir, `${KREW_PLUGIN}.yaml`);
  await writeFile(krewFile, manifest);
  return {
    version,
    archives,
    archiveChecksums,
    sboms,
    krewManifest: krewFile,
    checksums: await writeChecksums(dir, version),
  };
}

/** krew-index would run validate-krew-manifest on it: fail the release first, not the submission. */
function refuseWhatKrewWould(fileName: string, manifest: string, archives: string[]): void {
  const report = validateManifestFile(fileName, manifest);
  if (report.error || report.warnings.length > 0) {
    throw new Error(`krew manifest: ${report.error ?? report.warnings.join("; ")}`);
  }
  for (const platform of (parse(manifest) as Plugin).spec?.platforms ?? []) {
    const archive = archives.find((a) => platform.uri?.endsWith(`/${basename(a)}`));
    if (!archive) throw new Error(`krew manifest: no archive built for ${platform.uri}`);
    const files = execFileSync("tar", ["-tzf", archive], { encoding: "utf8" }).split("\n").filter(Boolean);
    const wrong = checkInstall(platform, files);
    if (wrong) throw new Error(`krew manifest: ${basename(archive)}: ${wrong}`);
  }
}

if (import.meta.main) {
  const files = await buildRelease();
  console.log(await readFile(files.checksums, "utf8"));
}
