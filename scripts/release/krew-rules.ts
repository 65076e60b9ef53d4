/**
 * krew's own checks of a plugin manifest, ported to TypeScript so that a test and the release
 * build can run them where there is no Go toolchain. Ported from sigs.k8s.io/krew:
 *
 *   internal/index/validation/validate.go   ValidatePlugin, validatePlatform, validateFiles,
 *                                           validateSelector, IsSafePluginName
 *   internal/installation/semver/version.go Parse (a leading "v", then k8s.io/apimachinery's
 *                                           util/version ParseSemantic)
 *   pkg/constants                           CurrentAPIVersion, PluginKind, ManifestExtension
 *   cmd/validate-krew-manifest/main.go      the file name is the plugin name; every platform
 *                                           selects a supported <os, arch> and no two select
 *                                           the same; line lengths (warnings); after the
 *                                           install, a LICENSE (or alike) file is there
 *
 * krew-index runs validate-krew-manifest on every submitted manifest. The messages are krew's.
 * Go's validation stops at the first error; so does this (one error at most). The install
 * step, which krew does by running `kubectl krew install --manifest`, is emulated over the
 * archive's file list: krew's file operations copy what `from` matches to `to`, then `bin`
 * must be among the installed files.
 */
import { basename, extname, matchesGlob, posix } from "node:path";
import { parse } from "yaml";

export const CURRENT_API_VERSION = "krew.googlecontainertools.github.com/v1alpha2";
export const PLUGIN_KIND = "Plugin";
export const MANIFEST_EXTENSION = ".yaml";

const SHA256 = /^[a-f0-9]{64}$/;
const SAFE_PLUGIN_NAME = /^[\w-]+$/;
const WINDOWS_FORBIDDEN = [
  "CON",
  "PRN",
  "AUX",
  "NUL",
  "COM1",
  "COM2",
  "COM3",
  "COM4",
  "COM5",
  "COM6",
  "COM7",
  "COM8",
  "COM9",
  "LPT1",
  "LPT2",
  "LPT3",
  "LPT4",
  "LPT5",
  "LPT6",
  "LPT7",
  "LPT8",
  "LPT9",
];

/** allPlatforms() in cmd/validate-krew-manifest/main.go. */
export const KREW_PLATFORMS: ReadonlyArray<{ os: string; arch: string }> = [
  { os: "windows", arch: "386" },
  { os: "windows", arch: "amd64" },
  { os: "windows", arch: "arm64" },
  { os: "linux", arch: "386" },
  { os: "linux", arch: "amd64" },
  { os: "linux", arch: "arm" },
  { os: "linux", arch: "arm64" },
  { os: "linux", arch: "ppc64le" },
  { os: "darwin", arch: "386" },
  { os: "darwin", arch: "amd64" },
  { os: "darwin", arch: "arm64" },
];

/** validateLicenseFileExists's names, compared lower-cased. */
const LICENSE_FILES = [
  "license",
  "license.txt",
  "license.md",
  "licenses",
  "licenses.txt",
  "licenses.md",
  "copying",
  "copying.txt",
];

export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> | null;
}
export interface FileOperation {
  from?: string;
  to?: string;
}
export interface Platform {
  uri?: string;
  sha256?: string;
  selector?: LabelSelector | null;
  files?: FileOperation[] | null;
  bin?: string;
}
export interface Plugin {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: {
    version?: string;
    shortDescription?: string;
    description?: string;
    caveats?: string;
    homepage?: string;
    platforms?: Platform[];
  };
}

export interface KrewReport {
  /** krew's refusal, if any (krew stops at the first). */
  error?: string;
  /** What validate-krew-manifest logs as warnings. */
  warnings: string[];
}

/** IsSafePluginName: a name krew will put in a path. */
export function isSafePluginName(name: string): boolean {
  return (
    SAFE_PLUGIN_NAME.test(name) && !WINDOWS_FORBIDDEN.some((f) => f.toLowerCase() === name.toLowerCase())
  );
}

/**
 * validate-krew-manifest's checks on the manifest file `fileName` holding `text`, up to the
 * install step (see checkInstall).
 */
export function validateManifestFile(fileName: string, text: string): KrewReport {
  const warnings: string[] = [];
  const plugin = (parse(text) ?? {}) as Plugin;
  const extension = extname(fileName);
  if (extension !== MANIFEST_EXTENSION) {
    return {
      error: `expected manifest extension "${MANIFEST_EXTENSION}" but found "${extension}"`,
      warnings,
    };
  }
  const name = basename(fileName, extension);
  const invalid = validatePlugin(name, plugin);
  if (invalid) return { error: `plugin validation error: ${invalid}`, warnings };
  const spec = plugin.spec!;
  if (!lineLengthsFit(spec.description ?? "", 80))
    warnings.push("line length in `description` exceeds 80 characters");
  if (!lineLengthsFit(spec.shortDescription ?? "", 70)) {
    warnings.push("line length in `shortDescription` exceeds 70 characters");
  }
  if (!lineLengthsFit(spec.caveats ?? "", 80))
    warnings.push("line length in `caveats` exceeds 80 characters");
  const platforms = spec.platforms!;
  for (const [i, p] of platforms.entries()) {
    if (!KREW_PLATFORMS.some((env) => selectorMatches(p.selector!, env))) {
      return { error: `spec.platform[${i}]'s selector doesn't match any supported platforms`, warnings };
    }
  }
  for (const env of KREW_PLATFORMS) {
    const matching = platforms.flatMap((p, i) => (selectorMatches(p.selector!, env) ? [i] : []));
    if (matching.length > 1) {
      return {
        error: `overlapping platform selectors found: multiple spec.platforms (at indexes [${matching.join(" ")}]) have overlapping selectors that select ${env.os}/${env.arch}`,
        warnings,
      };
    }
  }
  return { warnings };
}

/** ValidatePlugin: the structural checks krew runs on every manifest it reads. */
export function validatePlugin(name: string, p: Plugin): string | undefined {
  if (p.apiVersion !== CURRENT_API_VERSION) {
    return `plugin manifest has apiVersion="${p.apiVersion ?? ""}", not supported in this version of krew (try updating plugin index or install a newer version of krew)`;
  }
  if (p.kind !== PLUGIN_KIND)
    return `plugin manifest has kind="${p.kind ?? ""}", but only "${PLUGIN_KIND}" is supported`;
  if (!isSafePluginName(name))
    return `the plugin name "${name}" is not allowed, must match "${SAFE_PLUGIN_NAME.source}"`;
  if (p.metadata?.name !== name) return `plugin should be named "${name}", not "${p.metadata?.name ?? ""}"`;
  const spec = p.spec ?? {};
  if (!spec.shortDescription) return "should have a short description";
  if (/[\r\n]/.test(spec.shortDescription)) return "should not have line breaks in short description";
  if (!spec.platforms || spec.platforms.length === 0) return "should have a platform specified";
  if (!spec.version) return "should have a version specified";
  const version = parseVersion(spec.version);
  if (version) return `failed to parse plugin version: ${version}`;
  for (const platform of spec.platforms) {
    const bad = validatePlatform(platform);
    if (bad) return `platform (${JSON.stringify(platform)}) is badly constructed: ${bad}`;
  }
  return undefined;
}

function validatePlatform(p: Platform): string | undefined {
  if (!p.uri) return "`uri` has to be set";
  if (!p.sha256) return "`sha256` sum has to be set";
  if (!SHA256.test(p.sha256))
    return `\`sha256\` value ${p.sha256} is not valid, must match pattern ${SHA256.source}`;
  if (!p.bin) return "`bin` has to be set";
  const files = validateFiles(p.files);
  if (files) return `\`files\` is invalid: ${files}`;
  const selector = validateSelector(p.selector);
  if (selector) return `invalid platform selector: ${selector}`;
  return undefined;
}

function validateFiles(ops: FileOperation[] | null | undefined): string | undefined {
  if (ops === undefined || ops === null) return undefined;
  if (ops.length === 0) return "`files` has to be unspecified or non-empty";
  for (const op of ops) {
    if (!op.from) return "`from` field has to be set";
    if (!op.to) return "`to` field has to be set";
  }
  return undefined;
}

function validateSelector(sel: LabelSelector | null | undefined): string | undefined {
  if (!sel) return "nil selector is not supported";
  if (!sel.matchLabels && (sel.matchExpressions ?? []).length === 0) return "empty selector is not supported";
  const keys = [...Object.keys(sel.matchLabels ?? {}), ...(sel.matchExpressions ?? []).map((e) => e.key)];
  const unsupported = keys.find((key) => key !== "os" && key !== "arch");
  if (unsupported !== undefined) return `key "${unsupported}" not supported`;
  if (sel.matchLabels && Object.keys(sel.matchLabels).length === 0)
    return "`matchLabels` specified but empty";
  if (sel.matchExpressions && sel.matchExpressions.length === 0)
    return "`matchExpressions` specified but empty";
  return undefined;
}

/**
 * semver.Parse: "v" first, then ParseSemantic (k8s.io/apimachinery/pkg/util/version): exactly
 * three numeric parts without leading zeros, an optional pre-release and build metadata.
 * Returns what is wrong, or undefined.
 */
export function parseVersion(s: string): string | undefined {
  if (!s.startsWith("v")) return `version string "${s}" not starting with 'v'`;
  const parts = /^\s*v?([0-9]+(?:\.[0-9]+)*)(.*)$/.exec(s);
  if (!parts) return `could not parse "${s}" as version`;
  const [, numbers, extra] = parts as unknown as [string, string, string];
  const components = numbers.split(".");
  if (components.length !== 3) return `illegal version string "${s}"`;
  const zeroPrefixed = components.find((c) => c.startsWith("0") && c !== "0");
  if (zeroPrefixed) return `illegal zero-prefixed version component "${zeroPrefixed}" in "${s}"`;
  if (extra === "") return undefined;
  const extraParts =
    /^(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?\s*$/.exec(extra);
  if (!extraParts) return `could not parse pre-release/metadata (${extra}) in version "${s}"`;
  for (const c of (extraParts[1] ?? "").split(".")) {
    if (/^[0-9]+$/.test(c) && c.startsWith("0") && c !== "0") {
      return `illegal zero-prefixed version component "${c}" in "${s}"`;
    }
  }
  return undefined;
}

/** A metav1.LabelSelector over the labels {os, arch}, as labels.Selector.Matches decides. */
export function selectorMatches(sel: LabelSelector, env: { os: string; arch: string }): boolean {
  const labels: Record<string, string> = { os: env.os, arch: env.arch };
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of sel.matchExpressions ?? []) {
    const has = key in labels;
    switch (operator) {
      case "In":
        if (values.length === 0 || !has || !values.includes(labels[key]!)) return false;
        break;
      case "NotIn":
        if (values.length === 0 || (has && values.includes(labels[key]!))) return false;
        break;
      case "Exists":
        if (values.length > 0 || !has) return false;
        break;
      case "DoesNotExist":
        if (values.length > 0 || has) return false;
        break;
      default:
        // LabelSelectorAsSelector fails on an unknown operator; krew then matches nothing.
        return false;
    }
  }
  return true;
}

/**
 * The install step of validate-krew-manifest, over the archive's file list (paths relative to
 * the archive's root): krew's file operations (internal/installation/move.go: a `from` naming
 * one file goes to `to`, its own name when `to` is "."; otherwise `from` is a glob whose
 * matches go into the directory `to`), then `bin` among the installed files and a LICENSE (or
 * alike) file beside it. A manifest without `files` is refused here: krew's default for it is
 * not ported, and ours always says what it installs. Returns what is wrong, or undefined.
 */
export function checkInstall(platform: Platform, archiveFiles: readonly string[]): string | undefined {
  if (!platform.files) return "`files` unspecified: krew's default file operations are not emulated here";
  const installed: string[] = [];
  for (const op of platform.files) {
    const to = op.to!;
    if (to !== posix.normalize(to).replace(/\/$/, "")) {
      return `could not find move targets: the provided path is not clean, "${to}" should be "${posix.normalize(to)}"`;
    }
    const from = posix.normalize(op.from!);
    if (archiveFiles.includes(from)) {
      installed.push(to === "." ? posix.basename(from) : to);
      continue;
    }
    const matches = archiveFiles.filter((f) => matchesGlob(f, from));
    if (matches.length === 0) {
      return `could not find move targets: no files in the plugin archive matched the glob pattern=${op.from}`;
    }
    installed.push(...matches.map((f) => posix.join(to, posix.basename(f))));
  }
  if (!installed.includes(posix.normalize(platform.bin!))) {
    return `the bin "${platform.bin}" is not among the installed files [${installed.join(", ")}]`;
  }
  if (!installed.some((f) => LICENSE_FILES.includes(posix.basename(f).toLowerCase()))) {
    return `LICENSE (or alike) file is not extracted from the archive as part of installation: could not find license file among [${installed.join(", ")}]`;
  }
  return undefined;
}

/** validateLineLength: lines over maxLen are fine only when they are one word. */
function lineLengthsFit(s: string, maxLen: number): boolean {
  return s.split("\n").every((line) => line.length <= maxLen || !line.trim().includes(" "));
}
