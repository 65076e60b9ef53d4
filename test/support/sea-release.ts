/**
 * The plugin's release archive for this machine's platform (scripts/build-sea.ts), laid out as
 * a download mirror: `<mirror>/v<version>/<archive>`, what the CI integrations' installer
 * fetches. Built when the sources are newer than the archive, by one test process at a time
 * (the build rewrites dist/sea in place), then copied out so a later build cannot change it
 * under a test that serves it.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import packageJson from "../../package.json" with { type: "json" };
import { SEA_TARGETS, type SeaTarget } from "../../scripts/build-sea.ts";
import { isNewerThan, withLock } from "./cli-bundle.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const OUT = join(ROOT, "dist/sea");
const SOURCES = ["src", "scripts/build-sea.ts", "scripts/build.ts", "package.json", "LICENSE"];

/** This machine's platform: the one whose executable can run here. */
export const HOST = `${process.platform}-${process.arch}` as SeaTarget;
export const HOST_BUILT = SEA_TARGETS.includes(HOST);

export interface SeaRelease {
  version: string;
  /** As in archive names: linux_x64. */
  platform: string;
  archiveName: string;
  /** A directory holding v<version>/<archive> and v<version>/<checksums file>. */
  mirror: string;
  /** The archive in the mirror. */
  archive: string;
  sha256: string;
  /** The checksums file in the mirror (sha256sum's format), as the release publishes it. */
  checksumsFile: string;
}

export function hostSeaRelease(): SeaRelease {
  const version = packageJson.version;
  const platform = HOST.replace("-", "_");
  const archiveName = `kubectl-broker_v${version}_${platform}.tar.gz`;
  const checksumsName = `kubectl-broker_v${version}_checksums.txt`;
  const mirror = mkdtempSync(join(tmpdir(), "kb-release-"));
  const dir = join(mirror, `v${version}`);
  mkdirSync(dir);
  withLock(join(ROOT, "dist/.sea-lock"), () => {
    const built = join(OUT, archiveName);
    const listed = () => readFileSync(join(OUT, checksumsName), "utf8").includes(`  ${archiveName}\n`);
    if (!isNewerThan(built, SOURCES) || !isNewerThan(join(OUT, checksumsName), []) || !listed()) {
      execFileSync(process.execPath, [join(ROOT, "scripts/build-sea.ts"), HOST], { stdio: "inherit" });
    }
    copyFileSync(built, join(dir, archiveName));
    copyFileSync(join(OUT, checksumsName), join(dir, checksumsName));
  });
  const archive = join(dir, archiveName);
  const sha256 = createHash("sha256").update(readFileSync(archive)).digest("hex");
  const checksumsFile = join(dir, checksumsName);
  if (!readFileSync(checksumsFile, "utf8").includes(`${sha256}  ${archiveName}\n`)) {
    throw new Error(`${checksumsName} does not list ${archiveName} with its SHA-256 ${sha256}`);
  }
  return { version, platform, archiveName, mirror, archive, sha256, checksumsFile };
}
