import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { Spec, Validation } from "@cyclonedx/cyclonedx-library";
import { parse, parseAllDocuments } from "yaml";
import packageJson from "../../../package.json" with { type: "json" };
import { PE_MACHINE_X64, readPeHeader } from "../../../scripts/authenticode.ts";
import {
  SEA_TARGETS,
  type SeaTarget,
  seaArchiveName,
  seaExecutableName,
} from "../../../scripts/build-sea.ts";
import { GITHUB_ACTION, GITLAB_TEMPLATE, INSTALLER } from "../../../scripts/pin-ci-integrations.ts";
import { checksumsName } from "../../../scripts/release/checksums.ts";
import { parseChecksums } from "../../../scripts/release/krew-manifest.ts";
import { checkInstall, type Plugin, validateManifestFile } from "../../../scripts/release/krew-rules.ts";
import { HOST, HOST_BUILT } from "../../support/sea-release.ts";
import { readAction } from "../integrations/composite-action.ts";
import { startReleaseMirror } from "../integrations/release-mirror.ts";

/**
 * The release's build as the release workflow runs it, `npm run release:prepare` (one build for
 * every check here), with its two locations moved so that it rewrites none of the checkout's
 * files: the release's files into a directory laid out as the download site
 * (<mirror>/v<version>/), the CI integrations pinned in a copy of integrations/. Checked: the
 * archives, the checksums over every asset, the SBOMs, the krew manifest that krew-index would
 * receive, and the pins, which the installer accepts for the archive built.
 */
const version = packageJson.version;
const ROOT = new URL("../../../", import.meta.url).pathname;
const mirrorDir = mkdtempSync(join(tmpdir(), "kb-release-mirror-"));
const releaseDir = join(mirrorDir, `v${version}`);
/** A tree holding a copy of integrations/: what the release pins, and commits. */
const pinnedRoot = mkdtempSync(join(tmpdir(), "kb-release-pinned-"));
const file = (name: string) => join(releaseDir, name);
const archiveName = (target: SeaTarget) => seaArchiveName(version, target);
const sha256Of = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const tarList = (archive: string) =>
  execFileSync("tar", ["-tzf", archive], { encoding: "utf8" }).split("\n").filter(Boolean).sort();

interface Component {
  name: string;
  group?: string;
  version: string;
  properties?: Array<{ name: string; value: string }>;
  components?: Component[];
}
interface Bom {
  bomFormat: string;
  specVersion: string;
  metadata: { component: Component & { type: string } };
  components: Component[];
}
type Inputs = Record<string, { default?: string } | undefined>;
const fullName = (c: Component) => (c.group ? `${c.group}/${c.name}` : c.name);
const flatten = (cs: Component[]): Component[] => cs.flatMap((c) => [c, ...flatten(c.components ?? [])]);

/** Two single executables, packed, on a shared 2-core machine: minutes, not the default 5. */
const BUILD_TIMEOUT_MS = 15 * 60_000;

describe("npm run release:prepare", { timeout: BUILD_TIMEOUT_MS }, () => {
  let sums: Map<string, string>;

  before(
    async () => {
      cpSync(join(ROOT, "integrations"), join(pinnedRoot, "integrations"), { recursive: true });
      // What `npm run release:prepare` runs, with the two locations given.
      await promisify(execFile)(
        process.execPath,
        ["scripts/release/prepare.ts", "--release-dir", releaseDir, "--root", pinnedRoot],
        { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
      );
      sums = parseChecksums(readFileSync(file(checksumsName(version)), "utf8"));
    },
    { timeout: BUILD_TIMEOUT_MS },
  );
  after(() => {
    for (const dir of [mirrorDir, pinnedRoot]) rmSync(dir, { recursive: true, force: true });
  });

  it("packs each platform's single executable with its LICENSE", () => {
    for (const target of SEA_TARGETS) {
      assert.deepEqual(tarList(file(archiveName(target))), ["LICENSE", seaExecutableName(target)].sort());
    }
    if (HOST_BUILT) {
      const dir = mkdtempSync(join(tmpdir(), "kb-release-"));
      execFileSync("tar", ["-xzf", file(archiveName(HOST)), "-C", dir]);
      const out = execFileSync(join(dir, "kubectl-broker"), ["version", "-o", "json"], {
        encoding: "utf8",
        env: { PATH: "/usr/bin:/bin", HOME: dir },
      });
      assert.equal(JSON.parse(out).clientVersion.version, version);
    }
  });

  it("builds kubectl-broker.exe for Windows: an x86-64 PE, unsigned, with the CLI injected under Node's fuse", () => {
    // Not run here (no Windows, no Wine): checked as a file, for what makes Node start the CLI.
    const dir = mkdtempSync(join(tmpdir(), "kb-release-win-"));
    try {
      execFileSync("tar", ["-xzf", file(archiveName("win-x64")), "-C", dir]);
      const exe = readFileSync(join(dir, "kubectl-broker.exe"));
      assert.equal(exe.toString("latin1", 0, 2), "MZ");
      const pe = exe.readUInt32LE(0x3c);
      assert.equal(exe.toString("latin1", pe, pe + 4), "PE\0\0");
      const header = readPeHeader(exe);
      assert.equal(header.machine, PE_MACHINE_X64);
      // Node's Authenticode signature taken off, not left pointing at what injection rewrote.
      assert.deepEqual(header.certificates, { offset: 0, size: 0 });
      // The fuse flipped: Node looks for the blob only then.
      const fuse = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";
      assert.ok(exe.includes(`${fuse}:1`), "the SEA fuse is not flipped");
      assert.ok(!exe.includes(`${fuse}:0`), "an unflipped SEA fuse is left");
      // The blob is a PE resource, whose names are UTF-16; the CLI's own text is in it.
      assert.ok(exe.includes(Buffer.from("NODE_SEA_BLOB", "utf16le")), "no NODE_SEA_BLOB resource");
      assert.ok(exe.includes("Adds a context to your kubeconfig"), "the CLI bundle is not in the executable");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const archives = parseChecksums(readFileSync(file(`kubectl-broker_v${version}_checksums.txt`), "utf8"));
    assert.equal(archives.get(archiveName("win-x64")), sha256Of(file(archiveName("win-x64"))));
    const windows = (parse(readFileSync(file("broker.yaml"), "utf8")) as Plugin).spec?.platforms?.find(
      (p) => p.selector?.matchLabels?.os === "windows",
    );
    assert.equal(windows?.selector?.matchLabels?.arch, "amd64");
    assert.equal(windows?.bin, "kubectl-broker.exe");
    assert.equal(windows?.uri?.split("/").pop(), archiveName("win-x64"));
    assert.equal(windows?.sha256, sha256Of(file(archiveName("win-x64"))));
  });

  it("lists every asset in the checksums file, each with its real sha256, as sha256sum -c agrees", () => {
    const assets = readdirSync(releaseDir).filter((n) => n !== checksumsName(version));
    assert.deepEqual([...sums.keys()].sort(), assets.sort());
    for (const [name, sum] of sums) {
      assert.equal(
        createHash("sha256")
          .update(readFileSync(file(name)))
          .digest("hex"),
        sum,
        name,
      );
    }
    execFileSync("sha256sum", ["--check", "--strict", checksumsName(version)], { cwd: releaseDir });
    // The archives' own file, as build-sea writes it (what the CI integrations pin from).
    const archives = parseChecksums(readFileSync(file(`kubectl-broker_v${version}_checksums.txt`), "utf8"));
    assert.deepEqual([...archives.keys()].sort(), SEA_TARGETS.map(archiveName).sort());
    for (const [name, sum] of archives) assert.equal(sum, sums.get(name), name);
  });

  it("writes CycloneDX SBOMs of kube-broker's production dependencies, none of its development ones", async () => {
    const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
    for (const [kind, name] of [
      ["npm", `kube-broker_v${version}_npm.cdx.json`],
      ["image", `kube-broker_v${version}_image.cdx.json`],
    ] as const) {
      const text = readFileSync(file(name), "utf8");
      assert.equal(await validator.validate(text), null, `${name} is not valid CycloneDX 1.6`);
      const bom = JSON.parse(text) as Bom;
      assert.equal(bom.bomFormat, "CycloneDX");
      const components = flatten(bom.components);
      const app = kind === "npm" ? bom.metadata.component : components.find((c) => c.name === "kube-broker");
      assert.equal(app?.name, "kube-broker", name);
      assert.equal(app?.version, version, name);
      if (kind === "image") {
        assert.equal(bom.metadata.component.type, "container");
        assert.equal(bom.metadata.component.name, "ghcr.io/kube-broker/kube-broker");
      }
      const names = new Set(components.map(fullName));
      for (const dependency of Object.keys(packageJson.dependencies)) {
        assert.ok(names.has(dependency), `${name} lacks the production dependency ${dependency}`);
      }
      for (const c of components.filter((c) => c !== app)) {
        const path = c.properties?.find((p) => p.name === "cdx:npm:package:path")?.value;
        assert.ok(path && lock.packages[path], `${name}: ${fullName(c)} is not in the lockfile`);
        assert.notEqual(
          lock.packages[path]!.dev,
          true,
          `${name}: ${fullName(c)} is a development dependency`,
        );
      }
      for (const tool of [
        "esbuild",
        "typescript",
        "@biomejs/biome",
        "puppeteer-core",
        "@cyclonedx/cyclonedx-npm",
      ]) {
        assert.ok(!names.has(tool), `${name} lists the development dependency ${tool}`);
      }
    }
  });

  it("writes the krew manifest that krew's rules accept, with the archives' URIs and sha256", () => {
    const text = readFileSync(file("broker.yaml"), "utf8");
    assert.deepEqual(validateManifestFile("broker.yaml", text), { warnings: [] });
    const plugin = parse(text) as Plugin;
    assert.equal(plugin.spec?.version, `v${version}`);
    const platforms = plugin.spec?.platforms ?? [];
    assert.equal(platforms.length, SEA_TARGETS.length);
    for (const platform of platforms) {
      const archive = platform.uri!.split("/").pop()!;
      assert.equal(
        platform.uri,
        `https://github.com/kube-broker/kube-broker/releases/download/v${version}/${archive}`,
      );
      const actual = createHash("sha256")
        .update(readFileSync(file(archive)))
        .digest("hex");
      assert.equal(platform.sha256, actual, archive);
      assert.equal(checkInstall(platform, tarList(file(archive))), undefined);
    }
  });

  it("pins the GitHub Action and the GitLab template to the Linux archives it built, and changes nothing else", () => {
    const pins = SEA_TARGETS.filter((t) => t.startsWith("linux-"))
      .map((t) => `${archiveName(t)}=${sha256Of(file(archiveName(t)))}`)
      .sort();
    const [spec] = parseAllDocuments(readFileSync(join(pinnedRoot, GITLAB_TEMPLATE), "utf8"));
    for (const [where, inputs] of [
      [GITHUB_ACTION, readAction(dirname(join(pinnedRoot, GITHUB_ACTION))).inputs],
      [GITLAB_TEMPLATE, (spec!.toJS() as { spec: { inputs: Inputs } }).spec.inputs],
    ] as const) {
      assert.equal(inputs?.version?.default, version, where);
      assert.deepEqual(inputs?.sha256?.default?.split(" ").sort(), pins, where);
    }
    const changed = readdirSync(join(pinnedRoot, "integrations"), { recursive: true, encoding: "utf8" })
      .map((path) => `integrations/${path}`)
      .filter((path) => statSync(join(pinnedRoot, path)).isFile())
      .filter((path) => !readFileSync(join(pinnedRoot, path)).equals(readFileSync(join(ROOT, path))));
    assert.deepEqual(changed.sort(), [GITHUB_ACTION, GITLAB_TEMPLATE].sort());
  });

  it("and the installer accepts those pins: the action's defaults install this machine's archive from the release", {
    skip: !HOST_BUILT && "no plugin build for this platform",
  }, async () => {
    const inputs = readAction(dirname(join(pinnedRoot, GITHUB_ACTION))).inputs;
    const mirror = await startReleaseMirror(mirrorDir);
    const job = mkdtempSync(join(tmpdir(), "kb-release-install-"));
    try {
      const env = { PATH: "/usr/bin:/bin", HOME: job };
      const installed = await promisify(execFile)("sh", [join(pinnedRoot, INSTALLER)], {
        env: {
          ...env,
          KUBE_BROKER_VERSION: inputs?.version?.default ?? "",
          KUBE_BROKER_SHA256: inputs?.sha256?.default ?? "",
          KUBE_BROKER_DOWNLOAD_URL: mirror.url,
          KUBE_BROKER_INSTALL_DIR: join(job, "bin"),
        },
      });
      const archive = archiveName(HOST);
      assert.match(
        installed.stderr,
        new RegExp(
          `^Installed kubectl-broker v${version} \\(${HOST.replace("-", "_")}, sha256 ${sha256Of(file(archive))}\\) in `,
          "m",
        ),
      );
      assert.deepEqual(mirror.fetched, [`/v${version}/${archive}`]);
      const out = execFileSync(join(job, "bin", "kubectl-broker"), ["version", "-o", "json"], {
        encoding: "utf8",
        env,
      });
      assert.equal(JSON.parse(out).clientVersion.version, version);
    } finally {
      await mirror.close();
      rmSync(job, { recursive: true, force: true });
    }
  });
});
