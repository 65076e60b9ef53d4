import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  GITLAB_TEMPLATE,
  releaseOf,
  withInstaller,
  withRelease,
} from "../../../scripts/pin-ci-integrations.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
const X64 = "a".repeat(64);
const ARM = "b".repeat(64);
const SUMS = `${X64}  kubectl-broker_v1.2.3_linux_x64.tar.gz\n${ARM}  kubectl-broker_v1.2.3_linux_arm64.tar.gz\n`;

describe("pin-ci-integrations", () => {
  it("reads a release's checksums file into pins named by archive", () => {
    assert.deepEqual(releaseOf("dist/sea/kubectl-broker_v1.2.3_checksums.txt", SUMS), {
      version: "1.2.3",
      sha256: `kubectl-broker_v1.2.3_linux_x64.tar.gz=${X64} kubectl-broker_v1.2.3_linux_arm64.tar.gz=${ARM}`,
    });
  });

  it("pins the Linux archives alone: the Windows one is no job's of these integrations", () => {
    const win = `${"c".repeat(64)}  kubectl-broker_v1.2.3_windows_x64.tar.gz\n`;
    assert.deepEqual(
      releaseOf("kubectl-broker_v1.2.3_checksums.txt", SUMS + win),
      releaseOf("kubectl-broker_v1.2.3_checksums.txt", SUMS),
    );
    assert.throws(() => releaseOf("kubectl-broker_v1.2.3_checksums.txt", win), /lists no archives/);
  });

  it("refuses a checksums file of another version, another name or no archives", () => {
    assert.throws(
      () => releaseOf("kubectl-broker_v1.2.4_checksums.txt", SUMS),
      /not a v1\.2\.4 archive: a{64} {2}kubectl-broker_v1\.2\.3_linux_x64\.tar\.gz$/,
    );
    assert.throws(
      () => releaseOf("checksums.txt", SUMS),
      /is not named kubectl-broker_v<version>_checksums\.txt/,
    );
    assert.throws(() => releaseOf("kubectl-broker_v1.2.3_checksums.txt", "\n"), /lists no archives/);
  });

  it("sets both pinned defaults, and refuses a file that has lost one", () => {
    const text = [
      '    default: "0.1.0" # pinned version by scripts/pin-ci-integrations.ts',
      '    default: "" # pinned sha256 by scripts/pin-ci-integrations.ts',
      "",
    ].join("\n");
    const release = releaseOf("kubectl-broker_v1.2.3_checksums.txt", SUMS);
    assert.equal(
      withRelease(text, "action.yml", release),
      [
        '    default: "1.2.3" # pinned version by scripts/pin-ci-integrations.ts',
        `    default: "${release.sha256}" # pinned sha256 by scripts/pin-ci-integrations.ts`,
        "",
      ].join("\n"),
    );
    assert.throws(
      () => withRelease(text.split("\n")[0]!, "action.yml", release),
      /expected a pinned version and sha256, found 1 pins/,
    );
  });

  it("copies the installer into the template in place of the last copy", () => {
    const template = readFileSync(`${ROOT}${GITLAB_TEMPLATE}`, "utf8");
    const changed = withInstaller(template, "#!/bin/sh\necho one\n\necho two\n");
    assert.match(changed, /\n {4}- \|\n {6}#!\/bin\/sh\n {6}echo one\n\n {6}echo two\n {4}# END /);
    assert.equal(withInstaller(changed, "#!/bin/sh\necho one\n\necho two\n"), changed);
    assert.equal(
      withInstaller(changed, readFileSync(`${ROOT}integrations/install-kubectl-broker.sh`, "utf8")),
      template,
    );
    assert.throws(() => withInstaller("jobs: {}\n", "echo\n"), /has no "# BEGIN/);
  });
});
