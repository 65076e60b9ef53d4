import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { parse } from "yaml";
import packageJson from "../../../package.json" with { type: "json" };
import type { GithubClaims } from "../../support/ci-issuer.ts";
import { HOST_BUILT } from "../../support/sea-release.ts";
import {
  filesNamed,
  INTEGRATIONS,
  PINNED_DEFAULT,
  RUNNER_PATH,
  subdir,
  useCiJobFixture,
} from "./ci-job-fixture.ts";
import { actionProblems, readAction, runCompositeAction } from "./composite-action.ts";

/**
 * integrations/github/action.yml, its steps run in order with bash as GitHub's runner runs
 * them, against the whole stack: GitHub's ID token request endpoint played by the CI issuer,
 * the pinned release archive served from a loopback mirror, then real kubectl through the
 * gateway with the kubeconfig the action wrote and only the PATH its steps set.
 */
const ACTION = join(INTEGRATIONS, "github");
const MAIN: GithubClaims = { repository: "acme/web", ref: "refs/heads/main" };
const RUNNER_ARCH = process.arch === "arm64" ? "ARM64" : "X64";

describe("the GitHub Action", { skip: !HOST_BUILT && "no plugin build for this platform" }, () => {
  const fixture = useCiJobFixture();

  /** A GitHub job on a Linux runner that may ask for an ID token, unless `env` says otherwise. */
  const runAction = (
    inputs: Record<string, string | undefined>,
    options: { env?: Record<string, string>; action?: string; idToken?: boolean; claims?: GithubClaims } = {},
  ) => {
    const { ci, jobDir } = fixture();
    const job = jobDir();
    return {
      job,
      run: runCompositeAction(options.action ?? ACTION, {
        inputs: { ...fixture().inputs, ...inputs },
        env: {
          PATH: RUNNER_PATH,
          HOME: subdir(job, "home"),
          TMPDIR: subdir(job, "tmp"),
          RUNNER_TEMP: subdir(job, "runner-temp"),
          RUNNER_OS: "Linux",
          RUNNER_ARCH,
          GITHUB_ACTIONS: "true",
          ...(options.idToken === false ? {} : ci.githubRequestEnv(options.claims ?? MAIN)),
          ...options.env,
        },
        workDir: job,
      }),
    };
  };

  it("is a composite action GitHub accepts: required keys, and every input and output it names exists", () => {
    const action = readAction(ACTION);
    assert.deepEqual(actionProblems(action), []);
    assert.equal(action.inputs?.server?.required, true);
    // Pinned: the default is the current release, and its checksums are a release's or none yet.
    assert.equal(action.inputs?.version?.default, packageJson.version);
    assert.match(action.inputs?.sha256?.default ?? "", PINNED_DEFAULT);
  });

  it("installs the pinned plugin, writes a kubeconfig with the token masked, and kubectl gets pods", async () => {
    const { kubectl, kubectlBin, release } = fixture();
    // The sha256 input as a workflow may give it: the release's checksums file, pasted.
    const checksums = readFileSync(release.checksumsFile, "utf8");
    const { run: running } = runAction({ ttl: "20m", sha256: checksums });
    const run = await running;
    assert.equal(run.code, 0, run.log);
    assert.match(
      run.log,
      new RegExp(
        `Installed kubectl-broker v${release.version} \\(${release.platform}, sha256 ${release.sha256}\\)`,
      ),
    );
    assert.match(run.log, /Wrote .*kubeconfig: edit on test in team-a until \S+ \(grant \S+\)\./);

    const kubeconfig = run.env.KUBECONFIG!;
    assert.equal(run.outputs.kubeconfig, kubeconfig);
    assert.match(kubeconfig, /runner-temp\/kube-broker\/kubeconfig$/);
    assert.equal(statSync(kubeconfig).mode & 0o777, 0o600);
    assert.match(run.outputs.grant!, /^\S+$/);
    const expiresIn = Date.parse(run.outputs["expires-at"]!) - Date.now();
    assert.ok(expiresIn > 0 && expiresIn <= 20 * 60_000, run.outputs["expires-at"]);

    // Masked before it could appear anywhere: its first appearance in the log is the mask.
    const token = parse(readFileSync(kubeconfig, "utf8")).users[0].user.token as string;
    const mask = `::add-mask::${token}\n`;
    assert.ok(run.log.includes(mask), "the token is never masked");
    assert.equal(run.log.indexOf(token), run.log.indexOf(mask) + "::add-mask::".length);
    assert.equal(run.log.split(token).length, 2, "the token appears in the log outside its mask");
    assert.doesNotMatch(JSON.stringify([run.env, run.outputs]), new RegExp(token));

    // Later steps: kubectl and the plugin from the PATH the action set, nothing else.
    const path = [...run.path, kubectlBin].join(":");
    const pods = await kubectl.run(kubeconfig, ["get", "pods", "-n", "team-a"], { env: { PATH: path } });
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /web-/);
    // The job's "if: always()" last step.
    const revoked = await promisify(execFile)("kubectl", ["broker", "revoke", "--self"], {
      env: { PATH: path, HOME: kubectl.dir, KUBECONFIG: kubeconfig },
    });
    assert.match(
      revoked.stderr,
      new RegExp(`^Grant ${run.outputs.grant} \\(edit on test\\) is ended\\.$`, "m"),
    );
    const after = await kubectl.run(kubeconfig, ["get", "pods", "-n", "team-a"], { env: { PATH: path } });
    assert.notEqual(after.code, 0);
  });

  it("a job the rules do not allow is refused in one line, and no kubeconfig is written or exported", async () => {
    const { job, run: running } = runAction({}, { claims: { ...MAIN, ref: "refs/heads/dev" } });
    const run = await running;
    assert.equal(run.code, 1);
    assert.equal(
      run.log.trim().split("\n").at(-1),
      'kubectl-broker: no CI rule lets repo:acme/web:ref:refs/heads/dev use cluster "test"',
    );
    assert.deepEqual(filesNamed(job, "kubeconfig"), []);
    assert.equal(run.env.KUBECONFIG, undefined);
  });

  it("stops at a wrong checksum, before anything is unpacked or run", async () => {
    const { mirror, release } = fixture();
    const wrong = release.sha256.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    const { job, run: running } = runAction({ sha256: `${release.platform}=${wrong}` });
    const run = await running;
    assert.equal(run.code, 1);
    assert.deepEqual(run.ran, [
      "Check that the job may ask for an ID token",
      "Install kubectl-broker (pinned by version and SHA-256)",
    ]);
    assert.ok(mirror.fetched.includes(`/v${release.version}/${release.archiveName}`));
    assert.equal(
      run.log.trim().split("\n").at(-1),
      `kube-broker: ${release.archiveName} from ${mirror.url}/v${release.version}/${release.archiveName} has SHA-256 ${release.sha256}, not the pinned ${wrong}; not installing it`,
    );
    assert.deepEqual(filesNamed(job, "kubectl-broker"), []);
    assert.deepEqual(filesNamed(job, release.archiveName), [], "the download is left behind");
    assert.deepEqual(run.path, []);
  });

  it("refuses to install unpinned, and picks the archive for the runner's architecture", async () => {
    const { mirror, release } = fixture();
    // Nothing, or only another archive's line of a checksums file.
    const other = release.archiveName.replace(release.platform, "linux_arm64");
    for (const sha256 of ["", `${"c".repeat(64)}  ${other}\n`]) {
      const unpinned = await runAction({ sha256 }).run;
      assert.equal(unpinned.code, 1);
      assert.match(
        unpinned.log,
        new RegExp(
          `^kube-broker: no SHA-256 pinned for ${release.archiveName}; set sha256 to its line in `,
          "m",
        ),
      );
    }

    const fetched = mirror.fetched.length;
    const arm = await runAction(
      { sha256: `linux_x64=${"a".repeat(64)} linux_arm64=${"b".repeat(64)}` },
      { env: { RUNNER_ARCH: "ARM64" } },
    ).run;
    assert.equal(arm.code, 1);
    assert.deepEqual(mirror.fetched.slice(fetched), [
      `/v${release.version}/kubectl-broker_v${release.version}_linux_arm64.tar.gz`,
    ]);
    assert.match(arm.log, /^kube-broker: cannot download .*_linux_arm64\.tar\.gz$/m);
  });

  it('without "permissions: id-token: write" says so, before downloading anything', async () => {
    const { mirror } = fixture();
    const fetched = mirror.fetched.length;
    const run = await runAction({}, { idToken: false }).run;
    assert.equal(run.code, 1);
    assert.equal(run.ran.length, 1);
    assert.equal(
      run.log,
      '::error title=kube-broker::this job cannot get an ID token; give the workflow or job "permissions: id-token: write"\n',
    );
    assert.equal(mirror.fetched.length, fetched);
  });

  it("installs with the defaults a release pins (scripts/pin-ci-integrations.ts)", async () => {
    const { release, pinnedCopy } = fixture();
    const copy = pinnedCopy();
    const pinnedAction = join(copy, "integrations/github");
    const pinned = readAction(pinnedAction);
    assert.equal(pinned.inputs?.sha256?.default, `${release.archiveName}=${release.sha256}`);
    const run = await runAction({ version: undefined, sha256: undefined }, { action: pinnedAction }).run;
    assert.equal(run.code, 0, run.log);
    assert.match(run.log, new RegExp(`Installed kubectl-broker v${release.version} `));

    // The pins hold for their version only: another one needs its own checksum.
    const other = await runAction({ version: "9.9.9", sha256: undefined }, { action: pinnedAction }).run;
    assert.equal(other.code, 1);
    assert.match(
      other.log,
      new RegExp(
        `^kube-broker: no SHA-256 pinned for kubectl-broker_v9\\.9\\.9_${release.platform}\\.tar\\.gz; `,
        "m",
      ),
    );
  });
});
