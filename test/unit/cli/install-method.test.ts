import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { installationOf, installationText } from "../../../src/cli/install-method.ts";

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
});
