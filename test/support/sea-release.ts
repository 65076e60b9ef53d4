/**
 * The plugin's release archive for this machine's platform (scripts/build-sea.ts), built into
 * a directory of the caller's own laid out as a download mirror: `<mirror>/v<version>/` holds
 * the archive and the checksums file, as a release publishes them. Not dist/sea: test files
 * that build at the same time would rewrite each other's files there.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import packageJson from "../../package.json" with { type: "json" };
import {
  buildSea,
  HOST_TARGET,
  SEA_TARGETS,
  type SeaTarget,
  seaArchiveName,
} from "../../scripts/build-sea.ts";

/** This machine's platform: the one whose executable can run here. */
export const HOST = HOST_TARGET as SeaTarget;
export const HOST_BUILT = SEA_TARGETS.includes(HOST);

export interface SeaRelease {
  version: string;
  /** As in archive names: linux_x64. */
  platform: string;
  archiveName: string;
  /** The directory holding v<version>/<archive> and v<version>/<checksums file>. */
  mirror: string;
  /** The archive in the mirror. */
  archive: string;
  sha256: string;
  /** The checksums file in the mirror (sha256sum's format). */
  checksumsFile: string;
}

export async function hostSeaRelease(): Promise<SeaRelease> {
  const version = packageJson.version;
  const mirror = mkdtempSync(join(tmpdir(), "kb-sea-mirror-"));
  const [artifact] = await buildSea([HOST], join(mirror, `v${version}`)).catch((error) => {
    rmSync(mirror, { recursive: true, force: true });
    throw error;
  });
  const archiveName = seaArchiveName(version, HOST);
  if (artifact!.archive !== join(mirror, `v${version}`, archiveName)) {
    throw new Error(`build-sea wrote ${artifact!.archive}, not ${archiveName}`);
  }
  const checksumsFile = join(mirror, `v${version}`, `kubectl-broker_v${version}_checksums.txt`);
  if (!readFileSync(checksumsFile, "utf8").includes(`${artifact!.sha256}  ${archiveName}\n`)) {
    throw new Error(`${checksumsFile} does not list ${archiveName} with its SHA-256 ${artifact!.sha256}`);
  }
  return {
    version,
    platform: HOST.replace("-", "_"),
    archiveName,
    mirror,
    archive: artifact!.archive,
    sha256: artifact!.sha256,
    checksumsFile,
  };
}
