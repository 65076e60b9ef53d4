import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import packageJson from "../../../package.json" with { type: "json" };
import { HOST_BUILT } from "../../support/sea-release.ts";
import {
  AUDIENCE,
  filesNamed,
  INTEGRATIONS,
  PINNED_DEFAULT,
  RUNNER_PATH,
  subdir,
  useCiJobFixture,
} from "./ci-job-fixture.ts";
import { type ComponentJob, extendJob, readComponent, runGitlabJob } from "./gitlab-job.ts";

/**
 * integrations/gitlab/templates/kube-broker.yml: a job that extends its hidden job runs its
 * before_script, script and after_script with sh, as GitLab's runner does, with the id_tokens
 * variable holding a token the CI issuer minted with GitLab's claims for the job's `aud`;
 * the pinned release archive comes from a loopback mirror, and the job's script is real
 * kubectl through the gateway.
 */
const TEMPLATE = "gitlab/templates/kube-broker.yml";
const INSTALLER = join(INTEGRATIONS, "install-kubectl-broker.sh");
const GET_PODS = "kubectl get pods -n team-b";

describe("the GitLab CI/CD component", { skip: !HOST_BUILT && "no plugin build for this platform" }, () => {
  const fixture = useCiJobFixture();
  const minted: string[] = [];

  /** The job `{ extends: .kube-broker, script }`, with the given inputs over the test's. */
  const jobOf = (inputs: Record<string, string | undefined>, script = [GET_PODS], root = INTEGRATIONS) => {
    const component = readComponent(join(root, TEMPLATE), { ...fixture().inputs, ...inputs });
    return extendJob(component.jobs[".kube-broker"]!, { script });
  };

  const run = (job: ComponentJob) => {
    const { ci, jobDir } = fixture();
    const dir = jobDir();
    const project = subdir(dir, "project");
    return {
      dir,
      project,
      run: runGitlabJob(job, {
        env: {
          PATH: RUNNER_PATH,
          HOME: subdir(dir, "home"),
          TMPDIR: subdir(dir, "tmp"),
          CI_PROJECT_DIR: project,
        },
        idToken: async (aud) => {
          const token = await ci.gitlab({ project_path: "acme/infra" }, { audience: aud });
          minted.push(token);
          return token;
        },
        workDir: dir,
      }),
    };
  };

  it("has a spec GitLab accepts, a hidden job with the ID token's audience, and the installer as it is", () => {
    const component = readComponent(join(INTEGRATIONS, TEMPLATE), { server: "https://broker.example" });
    assert.deepEqual(Object.keys(component.jobs), [".kube-broker"]);
    const job = component.jobs[".kube-broker"]!;
    assert.deepEqual(job.id_tokens, { KUBE_BROKER_ID_TOKEN: { aud: AUDIENCE } });
    assert.throws(() => readComponent(join(INTEGRATIONS, TEMPLATE)), /input server is required/);
    for (const [name, input] of Object.entries(component.inputs)) assert.ok(input.description, name);
    // Pinned: the default is the current release, and its checksums are a release's or none yet.
    assert.equal(component.inputs.version?.default, packageJson.version);
    assert.match(component.inputs.sha256?.default ?? "", PINNED_DEFAULT);
    // A component is one file: it carries the shared installer, which must be the current one.
    assert.equal(
      job.before_script?.[0],
      readFileSync(INSTALLER, "utf8"),
      "run node scripts/pin-ci-integrations.ts to copy the installer into the template",
    );
  });

  it("installs the pinned plugin, writes the kubeconfig, kubectl gets pods, after_script ends the grant", async () => {
    const { release, kubectl } = fixture();
    const { project, run: running } = run(jobOf({ ttl: "20m" }));
    const job = await running;
    assert.equal(job.code, 0, job.log);
    assert.match(
      job.log,
      new RegExp(
        `Installed kubectl-broker v${release.version} \\(${release.platform}, sha256 ${release.sha256}\\)`,
      ),
    );
    const kubeconfig = join(project, ".kube-broker/kubeconfig");
    assert.equal(job.env.KUBECONFIG, kubeconfig);
    const wrote = /Wrote .*kubeconfig: view on test in team-b until (\S+) \(grant \S+\)\./.exec(job.log);
    assert.ok(wrote, job.log);
    const expiresIn = Date.parse(wrote[1]!) - Date.now();
    assert.ok(expiresIn > 0 && expiresIn <= 20 * 60_000, wrote[1]);
    assert.match(job.log, /api-1/);
    assert.equal(job.afterCode, 0);
    assert.match(job.log, /^Grant \S+ \(view on test\) is ended\.$/m);
    assert.equal(statSync(kubeconfig).mode & 0o777, 0o600);

    // GitLab cannot mask a value a job makes: neither token may reach the log at all.
    const token = parse(readFileSync(kubeconfig, "utf8")).users[0].user.token as string;
    assert.ok(!job.log.includes(token), "the credential is in the job's log");
    assert.ok(!job.log.includes(minted.at(-1)!), "the ID token is in the job's log");
    const after = await kubectl.run(kubeconfig, ["get", "pods", "-n", "team-b"]);
    assert.notEqual(after.code, 0);
  });

  it("stops at a wrong checksum, before anything is unpacked or run", async () => {
    const { release, mirror } = fixture();
    const wrong = release.sha256.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    const { dir, run: running } = run(jobOf({ sha256: `${release.platform}=${wrong}` }));
    const job = await running;
    assert.equal(job.code, 1);
    assert.equal(
      job.log.trim(),
      `kube-broker: ${release.archiveName} from ${mirror.url}/v${release.version}/${release.archiveName} has SHA-256 ${release.sha256}, not the pinned ${wrong}; not installing it`,
    );
    assert.deepEqual(filesNamed(dir, "kubectl-broker"), []);
    assert.deepEqual(filesNamed(dir, release.archiveName), []);
    assert.equal(job.afterCode, 0);
  });

  it("a job without the ID token is told which id_tokens entry to add", async () => {
    const job = await run({ ...jobOf({}), id_tokens: {} }).run;
    assert.equal(job.code, 1);
    assert.equal(
      job.log.trim().split("\n").at(-1),
      'kubectl-broker: no ID token in $KUBE_BROKER_ID_TOKEN; give the job "id_tokens: KUBE_BROKER_ID_TOKEN: aud: <the broker\'s audience>"',
    );
  });

  it("installs with the defaults a release pins (scripts/pin-ci-integrations.ts)", async () => {
    const { release, pinnedCopy } = fixture();
    const copy = join(pinnedCopy(), "integrations");
    const pinned = readComponent(join(copy, TEMPLATE), { server: "https://broker.example" });
    assert.equal(pinned.inputs.sha256?.default, `${release.archiveName}=${release.sha256}`);
    const job = await run(jobOf({ version: undefined, sha256: undefined }, [GET_PODS], copy)).run;
    assert.equal(job.code, 0, job.log);
    assert.match(job.log, /api-1/);
  });
});
