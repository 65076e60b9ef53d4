import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import packageJson from "../../../package.json" with { type: "json" };
import { freePort } from "../../../tools/free-port.ts";
import { HeadlessBrowser } from "../../support/browser.ts";
import {
  BUNDLE,
  baseEnv,
  type CliEnv,
  type CliResult,
  oneLineFailure,
  runCli,
  startCli,
} from "./cli-process.ts";
import { useDeveloper } from "./developer.ts";
import { scriptedLogin } from "./signed-in.ts";

const SERVER_BUNDLE = join(BUNDLE, "..", "kube-broker.js");
const editKubeconfig = (file: string) => [
  "kubeconfig",
  "--cluster",
  "test",
  "--role",
  "edit",
  "-n",
  "team-a",
  "--file",
  file,
];

/**
 * The conventions a kubectl plugin user expects (issue 13), through the shipped bundle and
 * the real kubectl: results on stdout and people's lines on stderr, -o as kubectl reads it,
 * one line per failure however often kubectl retries the plugin, versions, and long waits
 * that say what they wait for.
 */
describe("kubectl broker behaves like a kubectl plugin", () => {
  const developer = useDeveloper();
  let approverEnv: CliEnv;
  let approverHome: string;
  /** kubectl's config for role edit in team-a: only an approved request gives it. */
  let editConfig: string;

  before(async () => {
    const { stack, kubectl } = developer();
    assert.equal((await developer().login()).code, 0);
    approverHome = mkdtempSync(join(tmpdir(), "kb-approver-"));
    approverEnv = baseEnv(approverHome);
    const approver = await scriptedLogin(stack.url, approverEnv, "approver", [
      "--certificate-authority",
      stack.caFile,
    ]);
    assert.equal(approver.code, 0, approver.stderr);
    editConfig = join(kubectl.dir, "edit.kubeconfig");
    const written = await developer().cli(editKubeconfig(editConfig));
    assert.equal(written.code, 0, written.stderr);
  });
  after(() => rmSync(approverHome, { recursive: true, force: true }));

  const dev = (...args: string[]) => developer().cli(args);
  const approver = (...args: string[]) => runCli(args, approverEnv);
  const askForEdit = (...more: string[]) => [
    "request",
    "--cluster",
    "test",
    "--role",
    "edit",
    "-n",
    "team-a",
    "--for",
    "30m",
    "--reason",
    "INC-13",
    ...more,
  ];

  /** dev asks, the approver approves: the grant's ID, the only active edit grant. */
  const approvedEditGrant = async (): Promise<string> => {
    const active = await dev("grants", "-o", 'jsonpath={.items[?(@.role=="edit")].id}');
    for (const id of active.stdout.split(" ").filter(Boolean))
      assert.equal((await dev("revoke", id)).code, 0);
    const asked = await dev(...askForEdit());
    assert.equal(asked.code, 0, asked.stderr);
    const approved = await approver("approve", asked.stdout.trim(), "-o", "jsonpath={.grantId}");
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, /^\w+$/);
    return approved.stdout;
  };

  it("request --wait: the ID on stdout at once, the wait on stderr as plain lines, then the way to use it", async () => {
    const waiting = startCli(askForEdit("--wait"), developer().env);
    const [, id] = await waiting.waitFor(/^(\w+)\n/, "stdout");
    await waiting.waitFor(/^Waiting for approval \(0 of 1\); Ctrl-C stops waiting, not the request…$/m);

    const approved = await approver("approve", id!, "--comment", "ok");
    assert.equal(approved.code, 0, approved.stderr);
    assert.equal(approved.stdout, `${id}\n`, "approve's result is the request's ID");
    assert.match(
      approved.stderr,
      new RegExp(`^Request ${id} for edit in team-a on test is approved: grant \\w+\\.\n$`),
    );

    const done = await waiting.exited;
    assert.equal(done.code, 0, done.stderr);
    assert.equal(done.stdout, `${id}\n`, "stdout holds the result alone: id=$(kubectl broker request …)");
    assert.match(
      done.stderr,
      new RegExp(`^Request ${id} for edit in team-a on test is pending: 0 of 1 approval\\(s\\)\\.$`, "m"),
    );
    assert.match(
      done.stderr,
      /is approved: grant \w+\.\nUse it: kubectl broker kubeconfig --cluster test --role edit -n team-a\n$/,
    );
    assert.doesNotMatch(done.stderr, /\r/, "no terminal: no line rewritten in place");

    const written = await dev(...editKubeconfig(join(developer().kubectl.dir, "another.kubeconfig")));
    assert.equal(written.code, 0, written.stderr);
    assert.equal(written.stdout, "broker-test-edit-team-a\n", "its result is the context's name");
    assert.match(written.stderr, /^Context "broker-test-edit-team-a" written to /);
  });

  it("on a terminal, request --wait shows one line rewritten in place and clears it", async () => {
    const command = [process.execPath, BUNDLE, ...askForEdit("--wait")].map((word) => `'${word}'`).join(" ");
    const terminal = spawn("script", ["-q", "-f", "-e", "-c", command, "/dev/null"], {
      env: developer().env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "inherit"],
    });
    // What the terminal was sent, with "go to the line's start and clear it" shown as ⟲.
    let screen = "";
    terminal.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      screen = (screen + chunk).replaceAll("\r\x1b[K", "⟲");
    });
    const exited = new Promise<number | null>((resolve) => terminal.on("close", resolve));
    const deadline = Date.now() + 15_000;
    // Two redraws a second apart: the elapsed time counts up on the same line.
    while (!/⟲Waiting for approval \(0 of 1\)[^⟲\r]*… [1-9]s/.test(screen)) {
      assert.ok(Date.now() < deadline, `no progress line: ${JSON.stringify(screen)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const id = /^(\w+)\r?$/m.exec(screen)?.[1];
    assert.ok(id, `the request's ID: ${JSON.stringify(screen)}`);
    assert.equal((await approver("approve", id)).code, 0);
    assert.equal(await exited, 0, screen);
    assert.match(screen, /⟲Waiting for approval \(0 of 1\)[^⟲\r]*… 0s⟲Waiting/);
    assert.match(screen, /⟲Request \w+ for edit in team-a on test is approved/, "cleared before the result");
  });

  it("after a revoke, kubectl shows the plugin's refusal once, however often it retries the plugin", async () => {
    const { kubectl } = developer();
    const grant = await approvedEditGrant();
    const working = await kubectl.run(editConfig, ["get", "pods"]);
    assert.equal(working.code, 0, working.stderr);

    const revoked = await dev("revoke", grant);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(revoked.stdout, `${grant}\n`, "revoke's result is the grant's ID");
    assert.equal(revoked.stderr, `Grant ${grant} (edit on test) is ended.\n`);

    const refused = await kubectl.run(editConfig, ["get", "pods"]);
    assert.notEqual(refused.code, 0);
    const line = `kubectl-broker: your grant ${grant} for this access ended`;
    assert.equal(refused.stderr.split(line).length - 1, 1, `the plugin's line once in: ${refused.stderr}`);
    assert.match(refused.stderr, /getting credentials: exec: executable .* failed with exit code 1/);
    // A new kubectl process is told again.
    const again = await kubectl.run(editConfig, ["get", "pods"]);
    assert.equal(again.stderr.split(line).length - 1, 1, again.stderr);
  });

  it("a grant ended elsewhere: the note about the refused token and the refusal, once each", async () => {
    const { kubectl, stack, paths } = developer();
    const grant = await approvedEditGrant();
    assert.equal((await kubectl.run(editConfig, ["get", "pods"])).code, 0);
    assert.equal(JSON.parse(readFileSync(paths.token("team-a", "edit"), "utf8")).grantId, grant);
    // Ended at the broker, not by this CLI: the cached token is still there, and dead.
    const session = JSON.parse(readFileSync(paths.session, "utf8")).session as string;
    const ended = await fetch(`${stack.url}/v1/grants/${grant}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${session}` },
    });
    assert.equal(ended.status, 200);

    const refused = await kubectl.run(editConfig, ["get", "pods"]);
    assert.notEqual(refused.code, 0);
    const count = (text: string) => refused.stderr.split(text).length - 1;
    assert.equal(count("kubectl-broker: the cached token was refused"), 1, refused.stderr);
    assert.equal(count(`kubectl-broker: your grant ${grant} for this access ended`), 1, refused.stderr);
  });

  it("audit query shows the kubectl command and the object's name; -o wide more", async () => {
    const { kubectl } = developer();
    const view = await developer().kubeconfig("team-a");
    const got = await kubectl.run(view, ["get", "pod", "web-1"]);
    assert.equal(got.code, 0, got.stderr);
    const query = await dev("audit", "query", "--since", "10m", "--resource", "pods", "--verb", "get");
    assert.equal(query.code, 0, query.stderr);
    const [header, ...rows] = query.stdout.trimEnd().split("\n");
    assert.match(header!, /^TIME +USER +COMMAND +VERB +RESOURCE +NAME +NAMESPACE +STATUS +RESULT$/);
    assert.ok(
      rows.some((row) =>
        /^\S+Z +dev@example\.com +kubectl get +get +pods +web-1 +team-a +200 +allowed$/.test(row),
      ),
      query.stdout,
    );
    const wide = await dev(
      "audit",
      "query",
      "--since",
      "10m",
      "--resource",
      "pods",
      "--verb",
      "get",
      "-o",
      "wide",
    );
    assert.match(wide.stdout, /^TIME .* RESULT +CLUSTER +ROLE +GRANT +GRANT KIND +DURATION +SOURCE IP\n/);
    assert.match(wide.stdout, / web-1 +team-a +200 +allowed +test +view +\w+ +standing +\d+ms +\S+\n/);
  });

  it("-o name, jsonpath, yaml everywhere a list or object is printed; an unknown format is exit 2", async () => {
    const grants = await dev("grants", "-o", "json");
    const { items } = JSON.parse(grants.stdout) as { items: { id: string }[] };
    assert.ok(items.length > 0);
    const names = await dev("grants", "-o", "name");
    assert.equal(names.stdout, items.map((g) => `grant/${g.id}\n`).join(""));
    const ids = await dev("grants", "-o", 'jsonpath={range .items[*]}{.id}{"\\n"}{end}');
    assert.equal(ids.stdout, items.map((g) => `${g.id}\n`).join(""));
    assert.deepEqual(parse((await dev("grants", "-o", "yaml")).stdout), JSON.parse(grants.stdout));
    assert.equal((await dev("whoami", "-o", "jsonpath={.principal.name}")).stdout, "dev@example.com");
    const requests = await dev("requests", "-o", "jsonpath={.items[*].state}");
    assert.match(requests.stdout, /^(approved ?)+$/);

    const bad = await dev("grants", "-o", "table");
    assert.equal(bad.code, 2);
    assert.equal(
      oneLineFailure(bad),
      'kubectl-broker: --output must be one of json, yaml, name, jsonpath=TEMPLATE, wide (or left out for a table), not "table"',
    );
  });

  it("version: the plugin's and the broker's; GET /version; kube-broker --version", async () => {
    const { stack } = developer();
    const version = await dev("version");
    assert.equal(version.code, 0, version.stderr);
    assert.match(
      version.stdout,
      new RegExp(
        `^Client Version: ${packageJson.version}( \\(commit \\w+\\))?\\nInstalled as a script outside any package \\(a checkout\\), run by Node\\.js: \\S+/dist/kubectl-broker\\.js \\(\\S+\\)\\nServer Version: ${packageJson.version}.* at ${stack.url}\\n$`,
      ),
    );
    const served = (await (await fetch(`${stack.url}/version`)).json()) as Record<string, unknown>;
    assert.equal(served.name, "kube-broker");
    assert.equal(served.version, packageJson.version);
    const json = JSON.parse((await dev("version", "-o", "json")).stdout);
    assert.deepEqual(json.serverVersion, served);

    const dead = `https://127.0.0.1:${await freePort()}`;
    const away = await dev("version", "--server", dead);
    assert.equal(away.code, 0);
    // The client's lines alone: its version and how it was installed.
    assert.equal(away.stdout, `${version.stdout.split("\n").slice(0, 2).join("\n")}\n`);
    assert.match(
      away.stderr,
      /^kubectl-broker: the broker's version is unknown: cannot reach kube-broker at /,
    );

    const server = await new Promise<CliResult>((resolve) =>
      execFile(process.execPath, [SERVER_BUNDLE, "--version"], (error, stdout, stderr) =>
        resolve({ code: error ? 1 : 0, stdout, stderr }),
      ),
    );
    assert.equal(server.code, 0, server.stderr);
    assert.match(
      server.stdout,
      new RegExp(`^kube-broker ${packageJson.version} \\((commit \\w+, )?node v24\\.`),
    );
  });

  it("sign-in waits say what they wait for: the browser, and another terminal's sign-in", async () => {
    const { stack } = developer();
    const home = mkdtempSync(join(tmpdir(), "kb-waits-"));
    try {
      const env = baseEnv(home, { KUBE_BROKER_SERVER: stack.url, KUBE_BROKER_CA_FILE: stack.caFile });
      const first = startCli(["login", "--no-browser"], env);
      const [url] = await first.waitFor(/https:\/\/\S+\/v1\/login\/start\S+/);
      await first.waitFor(/^Waiting for the sign-in in the browser…$/m);
      const second = startCli(["login", "--no-browser"], env);
      try {
        await second.waitFor(/^kubectl-broker: waiting for a sign-in in progress in another terminal…$/m);
      } finally {
        second.process.kill("SIGINT");
      }
      await new HeadlessBrowser().visit(url, { login: "dev" });
      const done = await first.exited;
      assert.equal(done.code, 0, done.stderr);
      assert.equal(done.stdout, "", "login has no result to print");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
