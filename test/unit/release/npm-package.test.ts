import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";

/**
 * What `npm publish` packs, by package.json's "files" as npm reads them (`npm pack --dry-run`):
 * the release workflow publishes the package from the same dist/ that holds the release's
 * assets (dist/release) and the single executables (dist/sea), tens of megabytes that belong
 * to the GitHub release, not to the package. Packed from a copy of package.json beside a
 * dist/ of stand-in files, so that what the checkout has built does not matter.
 */
const ROOT = new URL("../../../", import.meta.url).pathname;

function packedFiles(): string[] {
  const dir = mkdtempSync(join(tmpdir(), "kb-npm-pack-"));
  try {
    copyFileSync(join(ROOT, "package.json"), join(dir, "package.json"));
    for (const file of [
      "dist/kube-broker.js",
      "dist/cli/app.js",
      "dist/ui/index.html",
      "dist/sea/kubectl-broker_v1.2.3_linux_x64.tar.gz",
      "dist/release/kubectl-broker_v1.2.3_linux_x64.tar.gz",
      "dist/release/broker.yaml",
      "config/example.yaml",
    ]) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), "stand-in\n");
    }
    // --ignore-scripts: prepack would build the real dist/ in the copy.
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path).sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the npm package", () => {
  it("packs dist/'s JavaScript and the console, never the release's assets or the single executables", () => {
    assert.deepEqual(packedFiles(), [
      "config/example.yaml",
      "dist/cli/app.js",
      "dist/kube-broker.js",
      "dist/ui/index.html",
      "package.json",
    ]);
  });
});
