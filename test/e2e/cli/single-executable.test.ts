import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { promisify } from "node:util";
import { parse } from "yaml";
import packageJson from "../../../package.json" with { type: "json" };
import { buildSea, SEA_TARGETS, type SeaTarget } from "../../../scripts/build-sea.ts";
import { type Developer, useDeveloper } from "./developer.ts";

/**
 * The plugin as one executable (scripts/build-sea.ts), for this machine's platform: unpacked
 * from its release archive as a person would, it reports how it was installed, writes a
 * kubeconfig that runs it, and kubectl gets pods through the gateway with it, with no Node.js
 * on PATH.
 */
/** This machine's platform: the one whose executable can run here. */
const HOST = `${process.platform}-${process.arch}` as SeaTarget;
const ARCHIVE = `kubectl-broker_v${packageJson.version}_${HOST.replace("-", "_")}.tar.gz`;

describe("kubectl-broker as a single executable", {
  skip: !SEA_TARGETS.includes(HOST) && `no ${HOST} build`,
}, () => {
  const developer = useDeveloper();
  let me: Developer;
  let executable: string;
  /** PATH with kubectl and nothing else. */
  let bareBin: string;

  before(async () => {
    me = developer();
    const [artifact] = await buildSea([HOST]);
    const sums = readFileSync(
      join(artifact!.archive, "..", `kubectl-broker_v${packageJson.version}_checksums.txt`),
      "utf8",
    );
    const digest = createHash("sha256").update(readFileSync(artifact!.archive)).digest("hex");
    assert.ok(sums.includes(`${digest}  ${ARCHIVE}`), sums);
    const unpacked = mkdtempSync(join(tmpdir(), "kb-sea-"));
    execFileSync("tar", ["-xzf", artifact!.archive, "-C", unpacked]);
    executable = join(unpacked, "kubectl-broker");
    bareBin = join(unpacked, "bin");
    mkdirSync(bareBin);
    symlinkSync(
      execFileSync("sh", ["-c", "command -v kubectl"], { encoding: "utf8" }).trim(),
      join(bareBin, "kubectl"),
    );
  });

  // Not execFileSync: the broker runs in this process, and must answer meanwhile.
  const run = async (file: string, args: string[]) =>
    (await promisify(execFile)(file, args, { env: { ...me.env, PATH: bareBin }, encoding: "utf8" })).stdout;

  it("says it is a single executable from a release archive, or krew's", async () => {
    assert.match(
      await run(executable, ["version"]),
      new RegExp(`Installed as a single executable from a release archive: ${executable}`),
    );
    const krewed = join(
      me.kubectl.dir,
      ".krew",
      "store",
      "broker",
      `v${packageJson.version}`,
      "kubectl-broker",
    );
    mkdirSync(join(krewed, ".."), { recursive: true });
    copyFileSync(executable, krewed);
    assert.match(await run(krewed, ["version", "-o", "json"]), /"method": "krew"/);
  });

  it("writes a kubeconfig that runs it, and kubectl gets pods through the gateway without Node.js", async () => {
    const login = await me.login();
    assert.equal(login.code, 0, login.stderr);
    const file = join(me.kubectl.dir, "sea.kubeconfig");
    await run(executable, [
      "kubeconfig",
      "--cluster",
      "test",
      "--role",
      "view",
      "-n",
      "team-a",
      "--file",
      file,
    ]);
    const exec = parse(readFileSync(file, "utf8")).users[0].user.exec;
    assert.equal(exec.command, executable);
    assert.deepEqual(exec.args.slice(0, 3), ["credential", "--server", me.stack.url]);
    const pods = await me.kubectl.run(file, ["get", "pods"], { env: { PATH: bareBin } });
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /web-/);
  });

  it("cannot load the OS keyring's native module: asked for the keyring, it says so in one line", async () => {
    const asked = await promisify(execFile)(
      executable,
      ["login", "--no-browser", "--server", me.stack.url, "--token-cache-storage", "keyring"],
      { env: { ...me.env, PATH: bareBin, KUBE_BROKER_CA_FILE: me.stack.caFile }, encoding: "utf8" },
    ).then(
      () => assert.fail("login succeeded"),
      (err: { code: number; stderr: string }) => err,
    );
    assert.equal(asked.code, 1);
    assert.equal(
      asked.stderr,
      "kubectl-broker: cannot keep the session in the OS keyring (this single executable cannot load the keyring's native module); sign in with --token-cache-storage disk to keep it in a file\n",
    );
  });
});
