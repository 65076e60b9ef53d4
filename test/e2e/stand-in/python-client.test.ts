import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";

// Debian's python3-kubernetes lives under /usr/bin/python3; another python3 may come first on PATH.
const PYTHON = "/usr/bin/python3";
const SCRIPT = join(import.meta.dirname, "../../support/python-exec.py");

describe("the official Python client's exec (v4.channel.k8s.io) against the stand-in", () => {
  let standIn: StandIn;
  let sandbox: KubectlSandbox;
  let kubeconfig: string;
  before(async () => {
    standIn = await startStandIn();
    await standIn.seedDemo();
    sandbox = await kubectlSandbox();
    kubeconfig = join(sandbox.dir, "admin.kubeconfig");
    await standIn.writeKubeconfig(kubeconfig);
  });
  after(async () => {
    await sandbox.cleanup();
    await standIn.close();
  });

  const pythonExec = async (...command: string[]) => {
    const started = performance.now();
    const { stdout } = await promisify(execFile)(
      PYTHON,
      [SCRIPT, kubeconfig, "team-a", "web-1", ...command],
      {
        timeout: 25_000,
      },
    );
    return { output: (JSON.parse(stdout) as { output: string }).output, ms: performance.now() - started };
  };

  it("returns the command's output, at once", async () => {
    const { output, ms } = await pythonExec("echo", "py-exec");
    assert.equal(output, "py-exec\n");
    // Before the fix the client sat for ws's 30 s close timeout; a real server closes at once.
    assert.ok(ms < 15_000, `took ${ms} ms`);
  });

  it("gets stderr and files too", async () => {
    assert.equal((await pythonExec("cat", "/etc/hostname")).output, "web-1\n");
    assert.equal((await pythonExec("cat", "/missing")).output, "cat: /missing: No such file or directory\n");
  });

  it("sends the query flags as Python writes them, which the server reads as true", () => {
    const exec = standIn.requests.find((r) => r.path.endsWith("/pods/web-1/exec"));
    assert.match(exec?.query ?? "", /stdout=True/);
    assert.equal(exec?.status, 101);
  });
});
