/**
 * What a test of a CI integration runs against: the whole stack with CI rules for a GitHub
 * repository and a GitLab project, the plugin's release archive for this platform served from
 * a loopback mirror, and kubectl alone on a PATH of its own. Each job gets a fresh directory.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import packageJson from "../../../package.json" with { type: "json" };
import { pinCiIntegrations, releaseOf } from "../../../scripts/pin-ci-integrations.ts";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { type CiIssuerHarness, ciTestRules } from "../../support/ci-issuer.ts";
import { hostSeaRelease, type SeaRelease } from "../../support/sea-release.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { type ReleaseMirror, startReleaseMirror } from "./release-mirror.ts";

export const INTEGRATIONS = new URL("../../../integrations", import.meta.url).pathname;
export const AUDIENCE = "kube-broker";
/** The pinned default checksums: none yet, or those of the current version's archives. */
export const PINNED_DEFAULT = new RegExp(
  `^(kubectl-broker_v${packageJson.version.replaceAll(".", "\\.")}_linux_(x64|arm64)\\.tar\\.gz=[0-9a-f]{64}( |$))*$`,
);
/** What a CI step's shell finds on a runner: the system's tools, and no kubectl-broker. */
export const RUNNER_PATH = "/usr/bin:/bin";

export interface CiJobFixture {
  stack: Stack;
  ci: CiIssuerHarness;
  release: SeaRelease;
  mirror: ReleaseMirror;
  kubectl: KubectlSandbox;
  /** A directory holding only a link to kubectl. */
  kubectlBin: string;
  /** The inputs both integrations take, for this broker and this mirror's release. */
  inputs: Record<string, string>;
  /** A fresh directory for one job. */
  jobDir(): string;
  /**
   * A copy of the repository's integrations/ with this release pinned as the defaults, as the
   * release build pins them (scripts/pin-ci-integrations.ts); the directory holding it.
   */
  pinnedCopy(): string;
}

export function useCiJobFixture(): () => CiJobFixture {
  let fixture: CiJobFixture | undefined;
  const dirs: string[] = [];
  /** What has started: stopped in reverse after the tests, or at once if set-up fails part-way. */
  const started: { close(): Promise<unknown> }[] = [];
  const stop = async () => {
    for (const part of started.splice(0).reverse()) await part.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  };
  before(async () => {
    fixture = await setUp().catch(async (error) => {
      await stop();
      throw error;
    });
  });
  after(stop);
  return () => fixture!;

  async function setUp(): Promise<CiJobFixture> {
    const release = await hostSeaRelease();
    dirs.push(release.mirror);
    const mirror = await startReleaseMirror(release.mirror);
    started.push(mirror);
    const stack = await startStack({
      ci: true,
      config: ({ ci }) => ({ ci: { rules: ciTestRules(ci!.issuer, AUDIENCE) } }),
    });
    started.push(stack);
    const kubectl = await kubectlSandbox();
    started.push({ close: () => kubectl.cleanup() });
    const kubectlBin = mkdtempSync(join(tmpdir(), "kb-kubectl-bin-"));
    dirs.push(kubectlBin);
    symlinkSync(
      execFileSync("sh", ["-c", "command -v kubectl"], { encoding: "utf8" }).trim(),
      join(kubectlBin, "kubectl"),
    );
    const jobDir = () => {
      const dir = mkdtempSync(join(tmpdir(), "kb-ci-job-"));
      dirs.push(dir);
      return dir;
    };
    return {
      stack,
      ci: stack.ci!,
      release,
      mirror,
      kubectl,
      kubectlBin,
      inputs: {
        server: stack.url,
        cluster: "test",
        "certificate-authority": stack.caFile,
        version: release.version,
        sha256: release.sha256,
        "download-url": mirror.url,
      },
      jobDir,
      pinnedCopy: () => {
        const copy = jobDir();
        cpSync(INTEGRATIONS, join(copy, "integrations"), { recursive: true });
        const checksums = readFileSync(release.checksumsFile, "utf8");
        pinCiIntegrations({ root: copy, release: releaseOf(release.checksumsFile, checksums) });
        return copy;
      },
    };
  }
}

/** Every file under `dir` named `name`: where an unpacked or installed executable would be. */
export function filesNamed(dir: string, name: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter(
    (path) => path === name || path.endsWith(`/${name}`),
  );
}

/** A directory in `dir`, made: for the job's HOME, temporary files and runner temp. */
export function subdir(dir: string, name: string): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  return path;
}
