/**
 * `node scripts/release/pin-image.ts sha256:<hex>`: after the release workflow pushed the
 * image, pins the deploy manifests to it by digest (kustomize `images:` with `digest:`, in
 * deploy/base/kustomization.yaml), then adds them to dist/release/ as
 * kube-broker_v<version>_deploy.tar.gz (the kustomize tree, for overlays of one's own) and
 * kube-broker_v<version>_install.yaml (`kubectl kustomize deploy/`, for `kubectl apply -f`).
 * A tag can be moved to another image; a digest names one image, the one that was signed.
 */
import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseDocument, type YAMLMap, type YAMLSeq } from "yaml";

const root = new URL("../..", import.meta.url).pathname;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Sets the kube-broker image's digest in `deployDir`/base/kustomization.yaml, keeping its comments. */
export async function pinImage(deployDir: string, digest: string): Promise<void> {
  if (!DIGEST.test(digest))
    throw new Error(`pin-image: "${digest}" is not an image digest (sha256:<64 hex>)`);
  const file = join(deployDir, "base", "kustomization.yaml");
  const doc = parseDocument(await readFile(file, "utf8"));
  const images = doc.get("images") as YAMLSeq<YAMLMap> | undefined;
  const image = images?.items.find((item) => item.get("name") === "kube-broker");
  if (!image) throw new Error(`pin-image: ${file} has no images entry named kube-broker`);
  image.delete("newTag");
  image.set("digest", digest);
  await writeFile(file, doc.toString());
}

/** The pinned tree and its rendering, as release assets. */
export function writeDeployAssets(deployDir: string, releaseDir: string, version: string): string[] {
  const tree = join(releaseDir, `kube-broker_v${version}_deploy.tar.gz`);
  execFileSync("tar", ["-czf", tree, "-C", join(deployDir, ".."), "deploy"]);
  const rendered = join(releaseDir, `kube-broker_v${version}_install.yaml`);
  execFileSync("sh", ["-c", 'kubectl kustomize "$1" > "$2"', "kustomize", deployDir, rendered]);
  return [tree, rendered];
}

if (import.meta.main) {
  const [digest] = process.argv.slice(2);
  const { RELEASE_DIR, packageVersion } = await import("./build.ts");
  try {
    await pinImage(join(root, "deploy"), digest ?? "");
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  for (const asset of writeDeployAssets(join(root, "deploy"), RELEASE_DIR, await packageVersion()))
    console.log(asset);
}
