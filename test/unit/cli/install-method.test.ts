import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { installationOf, installationText, stableExecutable } from "../../../src/cli/install-method.ts";

describe("how kubectl-broker was installed", () => {
  it("a single executable under krew's store is krew's; any other is a release archive's", () => {
    const krew = installationOf({
      node: "/home/dev/.krew/store/broker/v0.1.0/kubectl-broker",
      script: "",
      singleExecutable: true,
    });
    assert.deepEqual(krew, { method: "krew", path: "/home/dev/.krew/store/broker/v0.1.0/kubectl-broker" });
    const release = installationOf({
      node: "/usr/local/bin/kubectl-broker",
      script: "",
      singleExecutable: true,
    });
    assert.equal(release.method, "release");
    assert.equal(
      installationText(release),
      "a single executable from a release archive: /usr/local/bin/kubectl-broker",
    );
  });

  it("a script in the npm package is npm's, with the Node that runs it; any other script a checkout's", () => {
    const npm = installationOf({
      node: "/opt/node24/bin/node",
      script: "/usr/lib/node_modules/kube-broker/dist/kubectl-broker.js",
    });
    assert.deepEqual(npm, {
      method: "npm",
      path: "/usr/lib/node_modules/kube-broker/dist/kubectl-broker.js",
      node: "/opt/node24/bin/node",
    });
    assert.match(
      installationText(npm),
      /^the npm package, run by Node\.js: .* \(\/opt\/node24\/bin\/node\)$/,
    );
    assert.equal(
      installationOf({ node: "/usr/bin/node", script: "/src/kube-broker/dist/kubectl-broker.js" }).method,
      "source",
    );
  });

  it("a krew install is also found under KREW_ROOT, whatever its name", () => {
    const self = {
      node: "/opt/plugins/store/broker/v0.1.0/kubectl-broker",
      script: "",
      singleExecutable: true,
    };
    assert.equal(installationOf(self).method, "release");
    assert.equal(installationOf(self, { KREW_ROOT: "/opt/plugins" }).method, "krew");
  });
});

/** krew's layout, as `kubectl krew install` leaves it: the versioned copy and its link in bin/. */
function krewInstall(root: string, plugin: string, version: string): string {
  const dir = join(root, "store", plugin, version);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kubectl-broker"), "#!/bin/sh\n", { mode: 0o755 });
  mkdirSync(join(root, "bin"), { recursive: true });
  const link = join(root, "bin", `kubectl-${plugin.replaceAll("-", "_")}`);
  rmSync(link, { force: true });
  symlinkSync(join(dir, "kubectl-broker"), link);
  return join(dir, "kubectl-broker");
}

describe("the executable a kubeconfig runs", () => {
  it("under krew is krew's link, which an upgrade moves to the new version, not the versioned copy", () => {
    const home = mkdtempSync(join(tmpdir(), "kb-krew-"));
    const root = join(home, ".krew");
    const v1 = krewInstall(root, "broker", "v0.1.0");
    const self = { node: v1, script: "", singleExecutable: true };
    assert.equal(stableExecutable(self), join(root, "bin", "kubectl-broker"));
    // A plugin name with a dash: kubectl finds kubectl-a_b as `kubectl a-b`, and krew links it so.
    const dashed = krewInstall(root, "access-broker", "v0.1.0");
    assert.equal(stableExecutable({ ...self, node: dashed }), join(root, "bin", "kubectl-access_broker"));
    rmSync(home, { recursive: true });
  });

  it("under KREW_ROOT is $KREW_ROOT/bin's link", () => {
    const root = mkdtempSync(join(tmpdir(), "kb-krew-root-"));
    const v1 = krewInstall(root, "broker", "v0.1.0");
    const self = { node: v1, script: "", singleExecutable: true };
    assert.equal(stableExecutable(self, { KREW_ROOT: root }), join(root, "bin", "kubectl-broker"));
    rmSync(root, { recursive: true });
  });

  it("is the executable itself when krew's link is missing, or outside krew", () => {
    const home = mkdtempSync(join(tmpdir(), "kb-krew-"));
    const copied = join(home, ".krew", "store", "broker", "v0.1.0", "kubectl-broker");
    mkdirSync(join(copied, ".."), { recursive: true });
    writeFileSync(copied, "");
    assert.equal(stableExecutable({ node: copied, script: "", singleExecutable: true }), copied);
    assert.equal(
      stableExecutable({ node: "/usr/local/bin/kubectl-broker", script: "", singleExecutable: true }),
      "/usr/local/bin/kubectl-broker",
    );
    rmSync(home, { recursive: true });
  });
});
