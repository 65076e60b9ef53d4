import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { freePort } from "../../../tools/free-port.ts";
import { kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";

const CLI = new URL("../../../tools/stand-in/cli.ts", import.meta.url).pathname;

describe("npm run stand-in", () => {
  let out: string;
  before(async () => {
    out = await mkdtemp(join(tmpdir(), "stand-in-cli-"));
  });
  after(() => rm(out, { recursive: true, force: true }));

  it("serves on the given port, writes admin.kubeconfig and ca.crt, seeds the demo and stops on SIGTERM", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, "--port", String(port), "--out", out], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const kubectl = await kubectlSandbox();
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding("utf8").on("data", (line: string) => resolve(line.trim()));
        child.on("exit", (code) => reject(new Error(`stand-in exited with ${code}`)));
      });
      assert.equal(url, `https://127.0.0.1:${port}`);
      assert.match(await readFile(join(out, "ca.crt"), "utf8"), /^-----BEGIN CERTIFICATE-----/);
      const pods = await kubectl.run(join(out, "admin.kubeconfig"), ["get", "pods", "-A", "-o", "name"]);
      assert.equal(pods.code, 0, pods.stderr);
      assert.match(pods.stdout, /pod\/web-1\n/);
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
    } finally {
      child.kill("SIGKILL");
      await kubectl.cleanup();
    }
  });
});
