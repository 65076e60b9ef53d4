import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { parse } from "yaml";
import { GITHUB_ACTION, GITLAB_TEMPLATE } from "../../../scripts/pin-ci-integrations.ts";

/**
 * The release workflow's push (the step with id "tag"), run with bash as the runner runs it,
 * against a bare repository standing in for GitHub: it commits the two pinned files alone,
 * tags that commit, and pushes both at once; a tag that exists, or a branch that moved since
 * the run began, is refused with the workflow's error and leaves the remote as it was.
 */
const workflow = parse(readFileSync(".github/workflows/release.yml", "utf8")) as {
  jobs: Record<string, { steps: Array<{ id?: string; run?: string }> }>;
};
const step = Object.values(workflow.jobs)
  .flatMap((job) => job.steps)
  .find((s) => s.id === "tag")!;

const scratch = mkdtempSync(join(tmpdir(), "kb-release-push-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;
const dir = (name: string) => join(scratch, `${++dirs}-${name}`);
/** git with no one's configuration but the repository's own. */
const gitEnv = { PATH: process.env.PATH, HOME: scratch, GIT_CONFIG_NOSYSTEM: "1" };
const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, { cwd, encoding: "utf8", env: gitEnv }).trim();

/** A remote with main holding the two integration files and another, as GitHub would. */
function origin(): string {
  const bare = dir("origin.git");
  git(scratch, "init", "--quiet", "--bare", "--initial-branch=main", bare);
  const seed = dir("seed");
  git(scratch, "init", "--quiet", "--initial-branch=main", seed);
  for (const file of [GITHUB_ACTION, GITLAB_TEMPLATE, "deploy/base/kustomization.yaml"])
    write(seed, file, "unpinned\n");
  git(seed, "add", ".");
  git(seed, "-c", "user.name=seed", "-c", "user.email=seed@example.com", "commit", "--quiet", "-m", "seed");
  git(seed, "push", "--quiet", bare, "main");
  return bare;
}

function write(root: string, file: string, text: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}

/** A runner's checkout: main alone, no tags (actions/checkout's fetch-depth 1 fetches none). */
function checkout(remote: string): string {
  const work = dir("checkout");
  git(scratch, "clone", "--quiet", "--no-tags", "--branch", "main", remote, work);
  return work;
}

/** The release build's pins, and the later step's change to deploy/ that is never committed. */
function pin(work: string, version: string): void {
  for (const file of [GITHUB_ACTION, GITLAB_TEMPLATE]) write(work, file, `pinned to v${version}\n`);
  write(work, "deploy/base/kustomization.yaml", "digest pinned later\n");
}

function runStep(work: string, version: string) {
  const output = join(work, "..", `${dirs}-github-output`);
  writeFileSync(output, "");
  const run = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], {
    cwd: work,
    encoding: "utf8",
    env: {
      ...gitEnv,
      VERSION: version,
      GH_TOKEN: "ghs_stand-in",
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_REF: "refs/heads/main",
      GITHUB_OUTPUT: output,
    },
  });
  return { ...run, outputs: readFileSync(output, "utf8") };
}

describe("the release workflow's commit, tag and push", () => {
  it("commits the two pinned files alone, tags that commit, and pushes both", () => {
    const remote = origin();
    const work = checkout(remote);
    pin(work, "1.2.3");
    const run = runStep(work, "1.2.3");
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const commit = git(remote, "rev-parse", "refs/heads/main");
    assert.equal(run.outputs, `commit=${commit}\n`);
    assert.equal(git(remote, "rev-parse", "refs/tags/v1.2.3^{commit}"), commit);
    assert.equal(git(remote, "cat-file", "-t", "refs/tags/v1.2.3"), "tag", "an annotated tag");
    assert.equal(
      git(remote, "log", "-1", "--format=%s%n%an <%ae>", commit),
      "Release v1.2.3: pin the CI integrations to its archives\ngithub-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>",
    );
    assert.deepEqual(git(remote, "diff", "--name-only", `${commit}^`, commit).split("\n").sort(), [
      GITHUB_ACTION,
      GITLAB_TEMPLATE,
    ]);
    assert.equal(git(remote, "show", `${commit}:${GITHUB_ACTION}`), "pinned to v1.2.3");
    assert.equal(git(work, "status", "--porcelain"), "M deploy/base/kustomization.yaml");
  });

  it("refuses a version whose tag exists, and the branch does not move", () => {
    const remote = origin();
    const first = checkout(remote);
    pin(first, "1.2.3");
    assert.equal(runStep(first, "1.2.3").status, 0);
    const main = git(remote, "rev-parse", "refs/heads/main");
    const tag = git(remote, "rev-parse", "refs/tags/v1.2.3");

    const again = checkout(remote);
    pin(again, "1.2.3-again");
    const run = runStep(again, "1.2.3");
    assert.equal(run.status, 1);
    assert.match(run.stdout, /^::error::could not push the pin commit and tag v1\.2\.3: the tag exists, /m);
    assert.equal(git(remote, "rev-parse", "refs/heads/main"), main);
    assert.equal(git(remote, "rev-parse", "refs/tags/v1.2.3"), tag);
    assert.equal(run.outputs, "");
  });

  it("refuses when the branch moved since the run began, and pushes no tag", () => {
    const remote = origin();
    const stale = checkout(remote);
    const other = checkout(remote);
    write(other, "README.md", "a change that landed meanwhile\n");
    git(other, "add", "README.md");
    git(
      other,
      "-c",
      "user.name=dev",
      "-c",
      "user.email=dev@example.com",
      "commit",
      "--quiet",
      "-m",
      "meanwhile",
    );
    git(other, "push", "--quiet", "origin", "main");
    const main = git(remote, "rev-parse", "refs/heads/main");

    pin(stale, "1.2.4");
    const run = runStep(stale, "1.2.4");
    assert.equal(run.status, 1);
    assert.match(run.stdout, /^::error::could not push the pin commit and tag v1\.2\.4: /m);
    assert.equal(git(remote, "rev-parse", "refs/heads/main"), main);
    assert.equal(git(remote, "tag", "--list"), "");
  });
});
