import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BUNDLE, baseEnv, type CliResult, NODE_PATH, runCli } from "./cli-process.ts";
import { useDeveloper } from "./developer.ts";
import { scriptedLogin } from "./signed-in.ts";

/**
 * Shell completion as people get it: the real kubectl completing `kubectl broker …` through
 * the built kubectl_complete-broker it finds on PATH (kubectl 1.26+), against the whole stack,
 * and the bash script of `kubectl broker completion bash`.
 */
describe("shell completion", () => {
  const developer = useDeveloper();
  let bin: string;
  let approverHome: string;

  before(async () => {
    const { kubectl, stack } = developer();
    // What `npm install -g` makes: both executables on PATH, linked to dist/.
    bin = join(kubectl.dir, "bin");
    await mkdir(bin);
    await symlink(BUNDLE, join(bin, "kubectl-broker"));
    await symlink(join(dirname(BUNDLE), "kubectl_complete-broker.js"), join(bin, "kubectl_complete-broker"));
    const login = await developer().login();
    assert.equal(login.code, 0, login.stderr);
    approverHome = await mkdtemp(join(tmpdir(), "kb-approver-"));
    const approver = await scriptedLogin(stack.url, baseEnv(approverHome), "approver", [
      "--certificate-authority",
      stack.caFile,
    ]);
    assert.equal(approver.code, 0, approver.stderr);
  });
  after(() => rm(approverHome, { recursive: true, force: true }));

  /** `kubectl …` with the plugin and its completer on PATH, as `home`'s person. */
  const kubectl = (args: string[], home = developer().kubectl.dir): Promise<CliResult> =>
    new Promise((resolve) => {
      execFile(
        "kubectl",
        args,
        {
          env: {
            PATH: [bin, NODE_PATH].join(delimiter),
            HOME: home,
            KUBECONFIG: join(home, "no-kubeconfig"),
          },
          timeout: 20_000,
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
      );
    });

  /** `kubectl __complete broker WORD…`: the candidates' values, and the directive. */
  const complete = async (words: string[], home?: string) => {
    const result = await kubectl(["__complete", "broker", ...words], home);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split("\n").filter(Boolean);
    return { lines, values: lines.slice(0, -1).map((line) => line.split("\t")[0]), directive: lines.at(-1) };
  };

  it("completes the plugin's subcommands, with their summaries, through kubectl_complete-broker", async () => {
    const { lines, directive } = await complete([""]);
    assert.ok(lines.includes("login\tsign in (browser, or --device)"), lines.join("\n"));
    assert.ok(lines.includes("request\task for just-in-time access (approved by others)"));
    assert.ok(lines.includes("completion\ta shell completion script (bash, zsh or fish)"));
    assert.equal(directive, ":4");
    assert.deepEqual((await complete(["re"])).values, ["revoke", "request", "requests", "report"]);
  });

  it("completes a command's flags", async () => {
    assert.deepEqual((await complete(["request", "--clu"])).values, ["--cluster"]);
    assert.deepEqual((await complete(["grants", "-o", "ya"])).values, ["yaml"]);
  });

  it("completes cluster and role names from the broker", async () => {
    assert.deepEqual((await complete(["kubeconfig", "--cluster", ""])).values, ["test"]);
    assert.deepEqual((await complete(["request", "--cluster", "test", "--role", ""])).values, ["edit"]);
  });

  it("completes the IDs of pending requests: the requester's to cancel, the approver's to approve", async () => {
    const requested = await runCli(
      ["request", "--cluster", "test", "--role", "edit", "-n", "payments", "--for", "30m", "--reason", "tab"],
      developer().env,
    );
    assert.equal(requested.code, 0, requested.stderr);
    const id = requested.stdout.trim();
    assert.ok((await complete(["cancel", ""])).values.includes(id));
    const approve = await complete(["approve", ""], approverHome);
    assert.ok(
      approve.lines.includes(`${id}\tdev@example.com: edit on test in payments for 30m`),
      approve.lines.join(),
    );
  });

  it("kubectl broker completion bash prints a script bash accepts, and it completes kubectl-broker", async () => {
    const printed = await kubectl(["broker", "completion", "bash"]);
    assert.equal(printed.code, 0, printed.stderr);
    const script = join(developer().kubectl.dir, "kubectl-broker.bash");
    await writeFile(script, printed.stdout);
    const syntax = await bash(["-n", script]);
    assert.equal(syntax.code, 0, syntax.stderr);

    // What bash does at `kubectl-broker kubeconfig --cluster <TAB>` and `… -o=<TAB>`.
    const tab = (...words: string[]) =>
      bash([
        "-c",
        `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _kubectl_broker; printf '%s\\n' "\${COMPREPLY[@]}"`,
        "bash",
        script,
        ...words,
      ]);
    const clusters = await tab("kubectl-broker", "kubeconfig", "--cluster", "");
    assert.equal(clusters.stdout, "test\n", clusters.stderr);
    // bash splits --output=json at "="; the script joins the words and answers the part after it.
    const output = await tab("kubectl-broker", "grants", "--output", "=", "ya");
    assert.equal(output.stdout, "yaml\n", output.stderr);
  });

  const bash = (args: string[]): Promise<CliResult> =>
    new Promise((resolve) => {
      execFile(
        "bash",
        args,
        { env: { PATH: [bin, NODE_PATH].join(delimiter), HOME: developer().kubectl.dir }, timeout: 20_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
      );
    });
});
