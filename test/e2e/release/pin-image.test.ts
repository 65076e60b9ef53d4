import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { pinImage, writeDeployAssets } from "../../../scripts/release/pin-image.ts";

const DIGEST = `sha256:${"c".repeat(64)}`;

/** A copy of deploy/, so that the test pins its own. */
function deployCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "kb-pin-"));
  cpSync("deploy", join(dir, "deploy"), { recursive: true });
  return join(dir, "deploy");
}

const images = (rendered: string) =>
  parseAllDocuments(rendered)
    .map((d) => d.toJS())
    .filter((o) => o?.kind === "Deployment" || o?.kind === "StatefulSet")
    .map((o) => [o.metadata.name, o.spec.template.spec.containers[0].image]);

describe("pinning the deploy manifests to the released image", () => {
  it("renders the broker's Deployment with the image by digest, and packs the tree and the rendering", async () => {
    const deploy = deployCopy();
    await pinImage(deploy, DIGEST);
    const kustomization = readFileSync(join(deploy, "base", "kustomization.yaml"), "utf8");
    assert.match(kustomization, /# The manifests behind deploy\//, "comments kept");
    const release = mkdtempSync(join(tmpdir(), "kb-pin-release-"));
    const [tree, rendered] = writeDeployAssets(deploy, release, "9.9.9");
    assert.deepEqual(images(readFileSync(rendered!, "utf8")), [
      ["kube-broker", `ghcr.io/kube-broker/kube-broker@${DIGEST}`],
      ["kube-broker-redis", "redis:7.4"],
    ]);
    const listed = execFileSync("tar", ["-tzf", tree!], { encoding: "utf8" });
    assert.match(listed, /^deploy\/base\/kustomization\.yaml$/m);
    assert.match(listed, /^deploy\/overlays\/external-redis\/kustomization\.yaml$/m);
  });

  it("refuses what is not a digest, and changes nothing", async () => {
    const deploy = deployCopy();
    const before = readFileSync(join(deploy, "base", "kustomization.yaml"), "utf8");
    await assert.rejects(pinImage(deploy, "v0.1.0"), /"v0.1.0" is not an image digest \(sha256:<64 hex>\)/);
    assert.equal(readFileSync(join(deploy, "base", "kustomization.yaml"), "utf8"), before);
  });
});
