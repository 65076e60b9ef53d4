import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { KREW_TEMPLATE, parseChecksums, renderKrewManifest } from "../../../scripts/release/krew-manifest.ts";
import {
  checkInstall,
  KREW_PLATFORMS,
  type Plugin,
  parseVersion,
  selectorMatches,
  validateManifestFile,
} from "../../../scripts/release/krew-rules.ts";

const SUM_X64 = "a".repeat(64);
const SUM_ARM64 = "b".repeat(64);
const SUM_WINDOWS = "c".repeat(64);
const CHECKSUMS = parseChecksums(
  `${SUM_X64}  kubectl-broker_v1.2.3_linux_x64.tar.gz\n${SUM_ARM64}  kubectl-broker_v1.2.3_linux_arm64.tar.gz\n` +
    `${SUM_WINDOWS}  kubectl-broker_v1.2.3_windows_x64.tar.gz\n`,
);
const template = readFileSync(KREW_TEMPLATE, "utf8");
const rendered = renderKrewManifest(template, "1.2.3", CHECKSUMS);
/** The rendered manifest changed by `change`, as krew-index would receive it. */
const variant = (change: (p: Plugin) => void) => {
  const plugin = parse(rendered) as Plugin;
  change(plugin);
  return validateManifestFile("broker.yaml", stringify(plugin)).error;
};

describe("the krew manifest of a release", () => {
  it("is the template with the version, the archives' URIs and their sha256, and krew accepts it", () => {
    const plugin = parse(rendered) as Plugin;
    assert.equal(plugin.spec?.version, "v1.2.3");
    assert.deepEqual(
      plugin.spec?.platforms?.map((p) => [
        p.selector?.matchLabels?.os,
        p.selector?.matchLabels?.arch,
        p.uri,
        p.sha256,
      ]),
      [
        [
          "linux",
          "amd64",
          "https://github.com/kube-broker/kube-broker/releases/download/v1.2.3/kubectl-broker_v1.2.3_linux_x64.tar.gz",
          SUM_X64,
        ],
        [
          "linux",
          "arm64",
          "https://github.com/kube-broker/kube-broker/releases/download/v1.2.3/kubectl-broker_v1.2.3_linux_arm64.tar.gz",
          SUM_ARM64,
        ],
        [
          "windows",
          "amd64",
          "https://github.com/kube-broker/kube-broker/releases/download/v1.2.3/kubectl-broker_v1.2.3_windows_x64.tar.gz",
          SUM_WINDOWS,
        ],
      ],
    );
    assert.deepEqual(validateManifestFile("broker.yaml", rendered), { warnings: [] });
    for (const platform of plugin.spec!.platforms!) {
      const os = platform.selector?.matchLabels?.os;
      const executable = os === "windows" ? "kubectl-broker.exe" : "kubectl-broker";
      assert.equal(platform.bin, executable, os);
      assert.equal(checkInstall(platform, [executable, "LICENSE"]), undefined, os);
    }
  });

  it("is refused, not written, when an archive has no checksum", () => {
    assert.throws(
      () =>
        renderKrewManifest(template, "1.2.3", new Map([["kubectl-broker_v1.2.3_linux_x64.tar.gz", SUM_X64]])),
      /no checksum for kubectl-broker_v1\.2\.3_linux_arm64\.tar\.gz/,
    );
    assert.throws(
      () => renderKrewManifest(`x: $${"{OTHER}"}`, "1.2.3", CHECKSUMS),
      /\$\{OTHER\} has no value/,
    );
  });
});

describe("krew's manifest rules, as ported", () => {
  it("refuse what ValidatePlugin refuses", () => {
    assert.match(
      variant((p) => (p.apiVersion = "krew.googlecontainertools.github.com/v1alpha1"))!,
      /apiVersion=/,
    );
    assert.match(variant((p) => (p.kind = "Plugins"))!, /only "Plugin" is supported/);
    assert.match(variant((p) => (p.metadata = { name: "other" }))!, /should be named "broker", not "other"/);
    assert.match(variant((p) => (p.spec!.shortDescription = ""))!, /should have a short description/);
    assert.match(
      variant((p) => (p.spec!.shortDescription = "two\nlines"))!,
      /line breaks in short description/,
    );
    assert.match(variant((p) => (p.spec!.platforms = []))!, /should have a platform specified/);
    assert.match(variant((p) => (p.spec!.version = ""))!, /should have a version specified/);
    assert.match(variant((p) => (p.spec!.version = "1.2.3"))!, /not starting with 'v'/);
    assert.match(variant((p) => (p.spec!.platforms![0]!.uri = ""))!, /`uri` has to be set/);
    assert.match(variant((p) => (p.spec!.platforms![0]!.sha256 = SUM_X64.toUpperCase()))!, /`sha256` value/);
    assert.match(variant((p) => (p.spec!.platforms![0]!.bin = ""))!, /`bin` has to be set/);
    assert.match(variant((p) => (p.spec!.platforms![0]!.files = []))!, /unspecified or non-empty/);
    assert.match(
      variant((p) => (p.spec!.platforms![0]!.files = [{ from: "x" }]))!,
      /`to` field has to be set/,
    );
    assert.match(variant((p) => delete p.spec!.platforms![0]!.selector)!, /nil selector is not supported/);
    assert.match(variant((p) => (p.spec!.platforms![0]!.selector = {}))!, /empty selector is not supported/);
    assert.match(
      variant((p) => (p.spec!.platforms![0]!.selector = { matchLabels: { os: "linux", distro: "x" } }))!,
      /key "distro" not supported/,
    );
  });

  it("refuse what validate-krew-manifest refuses: the file's name, unused and overlapping platforms", () => {
    assert.match(validateManifestFile("broker.yml", rendered).error!, /expected manifest extension ".yaml"/);
    assert.match(validateManifestFile("kube-broker.yaml", rendered).error!, /should be named "kube-broker"/);
    assert.match(validateManifestFile("CON.yaml", rendered).error!, /the plugin name "CON" is not allowed/);
    assert.match(
      variant((p) => (p.spec!.platforms![1]!.selector = { matchLabels: { os: "linux" } }))!,
      /overlapping selectors that select linux\/amd64/,
    );
    assert.match(
      variant((p) => (p.spec!.platforms![1]!.selector = { matchLabels: { os: "plan9", arch: "amd64" } }))!,
      /doesn't match any supported platforms/,
    );
    const long = validateManifestFile(
      "broker.yaml",
      stringify({
        ...parse(rendered),
        spec: { ...parse(rendered).spec, shortDescription: "word ".repeat(20) },
      }),
    );
    assert.deepEqual(long.warnings, ["line length in `shortDescription` exceeds 70 characters"]);
  });

  it("parse versions as krew's semver does", () => {
    for (const good of ["v0.1.0", "v1.2.3-rc.1", "v1.2.3+build.5", "v10.20.30-alpha.0"]) {
      assert.equal(parseVersion(good), undefined, good);
    }
    for (const bad of ["0.1.0", "v1.2", "v1.2.3.4", "v01.2.3", "v1.2.3-01", "v1.2.3-", "vx.y.z"]) {
      assert.notEqual(parseVersion(bad), undefined, bad);
    }
  });

  it("match selectors as metav1.LabelSelector does", () => {
    const linux = { matchExpressions: [{ key: "os", operator: "In", values: ["linux"] }] };
    assert.deepEqual(
      KREW_PLATFORMS.filter((env) => selectorMatches(linux, env)).map((e) => e.arch),
      ["386", "amd64", "arm", "arm64", "ppc64le"],
    );
    assert.equal(
      selectorMatches(
        { matchExpressions: [{ key: "os", operator: "Exists", values: ["x"] }] },
        KREW_PLATFORMS[0]!,
      ),
      false,
    );
    assert.equal(
      selectorMatches(
        { matchExpressions: [{ key: "arch", operator: "NotIn", values: ["386"] }] },
        KREW_PLATFORMS[0]!,
      ),
      false,
    );
  });

  it("install as krew's file operations do: bin and a LICENSE among the installed files", () => {
    const platform = (parse(rendered) as Plugin).spec!.platforms![0]!;
    assert.match(checkInstall(platform, ["kubectl-broker"])!, /matched the glob pattern=LICENSE/);
    assert.match(
      checkInstall({ ...platform, files: [{ from: "kubectl-broker", to: "." }] }, [
        "kubectl-broker",
        "LICENSE",
      ])!,
      /could not find license file among \[kubectl-broker\]/,
    );
    assert.match(
      checkInstall({ ...platform, files: [{ from: "*", to: "bin" }] }, ["kubectl-broker", "LICENSE"])!,
      /the bin "kubectl-broker" is not among the installed files \[bin\/kubectl-broker, bin\/LICENSE\]/,
    );
    assert.equal(
      checkInstall({ ...platform, files: [{ from: "*", to: "." }] }, ["kubectl-broker", "LICENSE"]),
      undefined,
    );
    assert.match(checkInstall({ ...platform, files: [{ from: "*", to: "./x/" }] }, ["a"])!, /not clean/);
  });
});
