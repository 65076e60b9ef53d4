/**
 * CycloneDX SBOMs of a release, both from package-lock.json with the development dependencies
 * left out (cyclonedx-npm --omit dev --package-lock-only):
 *
 * - the npm package's: what `npm install kube-broker` brings, as this lockfile resolved it
 *   (an install resolves package.json's ranges afresh, so it may differ in patch versions);
 * - the image's: the same production tree, which the Dockerfile installs with
 *   `npm ci --omit=dev` from this lockfile, inside a container component named for the image.
 *   The release attaches it to the image's digest as a signed attestation (cosign attest
 *   --type cyclonedx) rather than copying it into the image, where it could not name the
 *   digest of the image that holds it. The image's base (distroless Node.js) is not in a
 *   lockfile: BuildKit's own SBOM attestation of the image (build-push-action's sbom: true)
 *   lists its packages.
 *
 * --output-reproducible: no timestamp or random serial number, so one lockfile gives one SBOM.
 */
import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const CLI = join(root, "node_modules", "@cyclonedx", "cyclonedx-npm", "bin", "cyclonedx-npm-cli.js");
export const IMAGE = "ghcr.io/kube-broker/kube-broker";

export interface Sboms {
  npm: string;
  image: string;
}

export async function writeSboms(version: string, dir: string): Promise<Sboms> {
  const npm = join(dir, `kube-broker_v${version}_npm.cdx.json`);
  const image = join(dir, `kube-broker_v${version}_image.cdx.json`);
  execFileSync(
    process.execPath,
    [
      CLI,
      "--omit",
      "dev",
      "--package-lock-only",
      "--output-reproducible",
      "--spec-version",
      "1.6",
      "--mc-type",
      "application",
      "--output-format",
      "JSON",
      "--output-file",
      npm,
      join(root, "package.json"),
    ],
    { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
  );
  await writeFile(
    image,
    `${JSON.stringify(imageSbom(JSON.parse(await readFile(npm, "utf8")), version), null, 2)}\n`,
  );
  return { npm, image };
}

interface Bom {
  metadata: { component: { "bom-ref": string } & Record<string, unknown> } & Record<string, unknown>;
  components?: unknown[];
  dependencies?: Array<{ ref: string; dependsOn?: string[] }>;
}

/** The package's SBOM with a container around it: the image holds the application. */
function imageSbom(bom: Bom, version: string): Bom {
  const app = bom.metadata.component;
  const ref = `${IMAGE}:${version}`;
  return {
    ...bom,
    metadata: {
      ...bom.metadata,
      component: {
        type: "container",
        "bom-ref": ref,
        name: IMAGE,
        version,
        purl: `pkg:oci/kube-broker?repository_url=${encodeURIComponent(IMAGE)}&tag=${version}`,
      },
    },
    components: [app, ...(bom.components ?? [])],
    dependencies: [{ ref, dependsOn: [app["bom-ref"]] }, ...(bom.dependencies ?? [])],
  };
}
