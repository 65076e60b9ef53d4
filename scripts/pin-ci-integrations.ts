/**
 * `node scripts/pin-ci-integrations.ts [dist/sea/kubectl-broker_v<version>_checksums.txt]`
 *
 * The CI integrations (integrations/github/action.yml, integrations/gitlab/templates/
 * kube-broker.yml) install kubectl-broker pinned by version and SHA-256, and those defaults
 * must be literal text in the two files: an action's or a component's defaults cannot be read
 * from anywhere else. This writes them.
 *
 * - Always: copies integrations/install-kubectl-broker.sh into the GitLab template's
 *   before_script (a component is one file; it cannot run a script that sits beside it).
 * - With a checksums file (what `npm run build:sea` writes for a release): sets both files'
 *   default version to that release and their default sha256 to its archives' checksums.
 *   The release runs this right after building the archives (scripts/release/prepare.ts),
 *   commits the two files, tags that commit v<version> and publishes those very archives, so
 *   the action and the component at the tag pin exactly what the release holds. Archives
 *   cannot be built first from the tag and pinned after: the build is not byte-for-byte
 *   reproducible (the single executable differs from one build to the next), so the pinned
 *   ones are the ones published.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
export const INSTALLER = "integrations/install-kubectl-broker.sh";
export const GITHUB_ACTION = "integrations/github/action.yml";
export const GITLAB_TEMPLATE = "integrations/gitlab/templates/kube-broker.yml";
const BEGIN = `# BEGIN ${INSTALLER}`;
const END = `# END ${INSTALLER}`;
const PINNED = /default: "[^"]*" # pinned (version|sha256) by scripts\/pin-ci-integrations\.ts$/gm;

export interface Release {
  version: string;
  /**
   * "<archive>=<hex> …", what the installer's KUBE_BROKER_SHA256 takes: keyed by archive name,
   * version included, so that a job asking for another version is told no checksum is
   * pinned for it rather than that its download does not match.
   */
  sha256: string;
}

/**
 * A release from the checksums file build-sea writes (sha256sum's format). Its Linux archives
 * only: the integrations run in Linux jobs (the installer is POSIX sh), so the Windows archive
 * the same file lists is no pin of theirs.
 */
export function releaseOf(checksumsFile: string, text: string): Release {
  const version = /^kubectl-broker_v(.+)_checksums\.txt$/.exec(basename(checksumsFile))?.[1];
  if (!version) throw new Error(`${checksumsFile} is not named kubectl-broker_v<version>_checksums.txt`);
  const pins = text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      const match = /^([0-9a-f]{64}) [ *](kubectl-broker_v(.+)_([a-z]+)_[a-z0-9]+\.tar\.gz)$/.exec(line);
      if (!match || match[3] !== version)
        throw new Error(`${checksumsFile}: not a v${version} archive: ${line}`);
      if (match[4] !== "linux") return [];
      return [`${match[2]}=${match[1]}`];
    });
  if (pins.length === 0) throw new Error(`${checksumsFile} lists no archives`);
  return { version, sha256: pins.join(" ") };
}

/** The template with the installer copied between its BEGIN and END lines, as one script item. */
export function withInstaller(template: string, installer: string): string {
  const start = template.indexOf(BEGIN);
  const end = template.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${GITLAB_TEMPLATE} has no "${BEGIN}" … "${END}" lines`);
  const indent = template.slice(template.lastIndexOf("\n", start) + 1, start);
  const body = installer
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => (line === "" ? "" : `${indent}  ${line}`))
    .join("\n");
  const firstLine = template.indexOf("\n", start) + 1;
  return `${template.slice(0, firstLine)}${indent}- |\n${body}\n${indent}${template.slice(end)}`;
}

/** The file with its pinned defaults set to `release`. */
export function withRelease(text: string, file: string, release: Release): string {
  let found = 0;
  const pinned = text.replace(PINNED, (_line, name: "version" | "sha256") => {
    found++;
    return `default: "${release[name]}" # pinned ${name} by scripts/pin-ci-integrations.ts`;
  });
  if (found !== 2) throw new Error(`${file}: expected a pinned version and sha256, found ${found} pins`);
  return pinned;
}

export function pinCiIntegrations(options: { root: string; release?: Release }): void {
  const read = (file: string) => readFileSync(join(options.root, file), "utf8");
  const gitlab = withInstaller(read(GITLAB_TEMPLATE), read(INSTALLER));
  writeFileSync(
    join(options.root, GITLAB_TEMPLATE),
    options.release ? withRelease(gitlab, GITLAB_TEMPLATE, options.release) : gitlab,
  );
  if (options.release) {
    writeFileSync(
      join(options.root, GITHUB_ACTION),
      withRelease(read(GITHUB_ACTION), GITHUB_ACTION, options.release),
    );
  }
}

if (import.meta.main) {
  const checksums = process.argv[2];
  try {
    const release = checksums ? releaseOf(checksums, readFileSync(checksums, "utf8")) : undefined;
    pinCiIntegrations({ root, ...(release ? { release } : {}) });
    console.error(
      release
        ? `Pinned ${release.sha256.replace(/=\w+/g, "")} in ${GITHUB_ACTION} and ${GITLAB_TEMPLATE}`
        : `Copied ${INSTALLER} into ${GITLAB_TEMPLATE}`,
    );
  } catch (err) {
    console.error(`pin-ci-integrations: ${(err as Error).message}`);
    process.exit(1);
  }
}
