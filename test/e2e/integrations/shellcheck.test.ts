import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { INTEGRATIONS } from "./ci-job-fixture.ts";
import { readAction } from "./composite-action.ts";
import { readComponent } from "./gitlab-job.ts";

/**
 * The integrations' shell, checked by Debian's shellcheck in the dialect each runs in: the
 * installer and the GitLab job in POSIX sh (an Alpine image has no bash), the action's steps in
 * bash, as GitHub runs `shell: bash` (with -eo pipefail).
 */
function shellcheck(shell: "sh" | "bash", script: string): { status: number | null; stdout: string } {
  const check = spawnSync("shellcheck", [`--shell=${shell}`, "--severity=style", "-"], {
    input: script,
    encoding: "utf8",
  });
  assert.ifError(check.error);
  return check;
}

describe("the CI integrations' shell", () => {
  it("the installer is clean POSIX sh", () => {
    const check = shellcheck("sh", readFileSync(join(INTEGRATIONS, "install-kubectl-broker.sh"), "utf8"));
    assert.equal(check.status, 0, check.stdout);
  });

  it("the GitHub Action's steps are clean bash", () => {
    for (const step of readAction(join(INTEGRATIONS, "github")).runs?.steps ?? []) {
      const check = shellcheck("bash", `#!/bin/bash\nset -eo pipefail\n${step.run}`);
      assert.equal(check.status, 0, `${step.name}\n${check.stdout}`);
    }
  });

  it("the GitLab job's scripts are clean POSIX sh", () => {
    const component = readComponent(join(INTEGRATIONS, "gitlab/templates/kube-broker.yml"), {
      server: "https://broker.example",
    });
    const job = component.jobs[".kube-broker"]!;
    for (const lines of [job.before_script, job.after_script]) {
      const check = shellcheck("sh", `#!/bin/sh\nset -e\n${lines!.join("\n")}\n`);
      assert.equal(check.status, 0, check.stdout);
    }
  });
});
