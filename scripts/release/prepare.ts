/**
 * `npm run release:prepare`: the release build (./build.ts, into dist/release/), then the CI
 * integrations pinned to the archives that very build wrote (scripts/pin-ci-integrations.ts:
 * integrations/github/action.yml and integrations/gitlab/templates/kube-broker.yml get the
 * version and the archives' sha256 as their defaults). One command, so that nothing can come
 * between the build and the pins.
 *
 * The release workflow (.github/workflows/release.yml) runs it, commits the two pinned files,
 * tags that commit and publishes these same files: the archives are not byte-for-byte
 * reproducible, so the only archives the pins can match are the ones built here, and nothing is
 * built again after. test/e2e/release/release-build.test.ts runs it too, and installs the
 * archive with the pins it wrote.
 *
 * Options, for that test, which must not rewrite the checkout's files:
 *   --release-dir DIR  where the release's files go (default dist/release)
 *   --root DIR         the tree whose integrations/ are pinned (default this repository)
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import {
  GITHUB_ACTION,
  GITLAB_TEMPLATE,
  pinCiIntegrations,
  type Release,
  releaseOf,
} from "../pin-ci-integrations.ts";
import { buildRelease, RELEASE_DIR, type ReleaseFiles } from "./build.ts";

const root = new URL("../..", import.meta.url).pathname;

export interface PreparedRelease extends ReleaseFiles {
  /** What the CI integrations now pin. */
  pinned: Release;
}

export async function prepareRelease(
  options: { releaseDir?: string; root?: string } = {},
): Promise<PreparedRelease> {
  const files = await buildRelease(options.releaseDir ?? RELEASE_DIR);
  const pinned = releaseOf(files.archiveChecksums, await readFile(files.archiveChecksums, "utf8"));
  pinCiIntegrations({ root: options.root ?? root, release: pinned });
  return { ...files, pinned };
}

if (import.meta.main) {
  try {
    const { values } = parseArgs({
      options: { "release-dir": { type: "string" }, root: { type: "string" } },
    });
    const prepared = await prepareRelease({ releaseDir: values["release-dir"], root: values.root });
    console.log(await readFile(prepared.checksums, "utf8"));
    console.error(`Pinned v${prepared.version}'s archives in ${GITHUB_ACTION} and ${GITLAB_TEMPLATE}`);
  } catch (error) {
    console.error(`release:prepare: ${(error as Error).message}`);
    process.exit(1);
  }
}
