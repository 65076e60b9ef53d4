import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { promisify } from "node:util";
import { parse } from "yaml";
import { buildSea, SEA_TARGETS, type SeaTarget } from "../../../scripts/build-sea.ts";
import { type Developer, useDeveloper } from "./developer.ts";

/**
 * The single executable as krew lays it out ($KREW_ROOT/store/broker/<version>/ and the link
 * $KREW_ROOT/bin/kubectl-broker): the kubeconfig it writes runs krew's link, so that after
 * `kubectl krew upgrade` (a new version's directory, the link moved, the old directory gone)
 * kubectl still gets its credentials.
 */
const HOST = `${process.platform}-${process.arch}` as SeaTarget;

/** A single executable built on a shared 2-core machine: minutes, not the default 5. */
const BUILD_TIMEOUT_MS = 10 * 60_000;

describe("kubectl-broker installed by krew", {
  skip: !SEA_TARGETS.includes(HOST) && `no ${HOST} build`,
  timeout: BUILD_TIMEOUT_MS,
}, () => {
  const developer = useDeveloper();
  let me: Developer;
  let executable: string;
  let krewRoot: string;
  /** PATH with kubectl and krew's bin, as krew's install instructions set it. */
  let path: string;

  before(
    async () => {
      me = developer();
      const [artifact] = await buildSea([HOST], mkdtempSync(join(tmpdir(), "kb-krew-archive-")));
      const unpacked = mkdtempSync(join(tmpdir(), "kb-krew-sea-"));
      execFileSync("tar", ["-xzf", artifact!.archive, "-C", unpacked]);
      executable = join(unpacked, "kubectl-broker");
      krewRoot = join(me.kubectl.dir, ".krew");
      const kubectlBin = join(unpacked, "kubectl-bin");
      mkdirSync(kubectlBin);
      symlinkSync(
        execFileSync("sh", ["-c", "command -v kubectl"], { encoding: "utf8" }).trim(),
        join(kubectlBin, "kubectl"),
      );
      path = `${join(krewRoot, "bin")}:${kubectlBin}`;
    },
    { timeout: BUILD_TIMEOUT_MS },
  );

  /** What `kubectl krew install` and `upgrade` do to the disk: copy in, relink, remove the old. */
  const krewInstall = (version: string, previous?: string) => {
    const dir = join(krewRoot, "store", "broker", version);
    mkdirSync(dir, { recursive: true });
    copyFileSync(executable, join(dir, "kubectl-broker"));
    mkdirSync(join(krewRoot, "bin"), { recursive: true });
    rmSync(join(krewRoot, "bin", "kubectl-broker"), { force: true });
    symlinkSync(join(dir, "kubectl-broker"), join(krewRoot, "bin", "kubectl-broker"));
    if (previous) rmSync(join(krewRoot, "store", "broker", previous), { recursive: true });
  };

  it("writes krew's link into the kubeconfig, and kubectl keeps working after an upgrade", async () => {
    krewInstall("v0.1.0");
    const login = await me.login();
    assert.equal(login.code, 0, login.stderr);
    const file = join(me.kubectl.dir, "krew.kubeconfig");
    // As kubectl runs a plugin: through the link on PATH, which Node resolves to the versioned copy.
    await promisify(execFile)(
      "kubectl",
      ["broker", "kubeconfig", "--cluster", "test", "--role", "view", "-n", "team-a", "--file", file],
      { env: { ...me.env, PATH: path } },
    );
    const exec = parse(readFileSync(file, "utf8")).users[0].user.exec;
    assert.equal(exec.command, join(krewRoot, "bin", "kubectl-broker"));

    krewInstall("v0.1.1", "v0.1.0");
    const pods = await me.kubectl.run(file, ["get", "pods"], { env: { PATH: path } });
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /web-/);
  });
});
