import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { freePort } from "../../../tools/free-port.ts";
import { HeadlessBrowser } from "../../support/browser.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { cachePaths } from "./cache-paths.ts";
import { baseEnv, oneLineFailure, runCli, startCli } from "./cli-process.ts";
import { scriptedLogin } from "./signed-in.ts";

const FAKE_BROWSER = new URL("./fake-browser.ts", import.meta.url).pathname;
const V1 = "client.authentication.k8s.io/v1";

function execInfo(interactive: boolean, apiVersion = V1): string {
  return JSON.stringify({ apiVersion, kind: "ExecCredential", spec: { interactive } });
}

/** The exec plugin on its own, as kubectl calls it, in the cases where it must not just answer. */
describe("the credential exec plugin", () => {
  let stack: Stack;
  let plugin: string[];
  const homes: string[] = [];

  const freshHome = () => {
    const home = mkdtempSync(join(tmpdir(), "kb-cli-"));
    homes.push(home);
    return home;
  };
  /** A browser that only records being opened. */
  const recordingBrowser = (home: string) => {
    const record = join(home, "browser.only-record");
    return { record, BROWSER: `${process.execPath} ${FAKE_BROWSER} ${record} %s` };
  };
  const sessionFile = (home: string) => cachePaths(home, stack.url).session;
  /** A HOME whose person has signed in as dev. */
  const signedInHome = async () => {
    const home = freshHome();
    const login = await scriptedLogin(stack.url, baseEnv(home), "dev", [
      "--certificate-authority",
      stack.caFile,
    ]);
    assert.equal(login.code, 0, login.stderr);
    return home;
  };

  before(async () => {
    stack = await startStack();
    plugin = ["credential", "--server", stack.url, "--cluster", "test", "--role", "view", "-n", "team-a"];
  });
  after(async () => {
    await stack?.close();
  });

  it("without a session and not interactive: one line saying to log in, and no browser", async () => {
    const home = freshHome();
    const browser = recordingBrowser(home);
    const result = await runCli(
      plugin,
      baseEnv(home, { KUBERNETES_EXEC_INFO: execInfo(false), BROWSER: browser.BROWSER, DISPLAY: ":0" }),
    );
    assert.equal(result.stdout, "");
    assert.equal(
      oneLineFailure(result),
      `kubectl-broker: not signed in to kube-broker at ${stack.url}; run kubectl broker login`,
    );
    assert.equal(result.stderr.trim().split("\n").length, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(existsSync(browser.record), false, "no browser was launched");
  });

  it("interactive: many plugin runs at once open one browser window and all get a token", async () => {
    const home = freshHome();
    const record = join(home, "browser-calls");
    const env = baseEnv(home, {
      KUBERNETES_EXEC_INFO: execInfo(true),
      BROWSER: `${process.execPath} ${FAKE_BROWSER} ${record} %s`,
      KUBE_BROKER_CA_FILE: stack.caFile,
      NODE_EXTRA_CA_CERTS: stack.caFile,
    });
    const runs = await Promise.all(
      ["team-a", "team-a", "team-b", "team-a", "team-b"].map((ns) =>
        runCli(["credential", "--server", stack.url, "--cluster", "test", "--role", "view", "-n", ns], env, {
          timeoutMs: 60_000,
        }),
      ),
    );
    for (const run of runs) {
      assert.equal(run.code, 0, run.stderr);
      assert.equal(JSON.parse(run.stdout).kind, "ExecCredential");
    }
    assert.equal(readFileSync(record, "utf8").trim().split("\n").length, 1, "one browser window");
  });

  it("interactive without any browser to open: signs in with a device code instead", async () => {
    const home = freshHome();
    const run = startCli(
      plugin,
      baseEnv(home, { KUBERNETES_EXEC_INFO: execInfo(true), KUBE_BROKER_CA_FILE: stack.caFile }),
    );
    await run.waitFor(/No browser can be opened here; signing in with a device code\./);
    const [, complete] = await run.waitFor(/\(or open (\S+)\)/);
    await new HeadlessBrowser().visit(complete!, { login: "dev" });
    const done = await run.exited;
    assert.equal(done.code, 0, done.stderr);
    assert.equal(JSON.parse(done.stdout).kind, "ExecCredential");
  });

  it("answers in the apiVersion kubectl asked for", async () => {
    const home = await signedInHome();
    for (const apiVersion of [V1, "client.authentication.k8s.io/v1beta1"]) {
      const result = await runCli(
        plugin,
        baseEnv(home, { KUBERNETES_EXEC_INFO: execInfo(false, apiVersion) }),
        {
          ownParent: true,
        },
      );
      assert.equal(result.code, 0, result.stderr);
      const credential = JSON.parse(result.stdout);
      assert.equal(credential.apiVersion, apiVersion);
      assert.equal(credential.kind, "ExecCredential");
      assert.ok(Date.parse(credential.status.expirationTimestamp) > Date.now());
      assert.equal(result.stderr, "");
    }
    const alpha = await runCli(
      plugin,
      baseEnv(home, { KUBERNETES_EXEC_INFO: execInfo(false, "client.authentication.k8s.io/v1alpha1") }),
    );
    assert.match(
      oneLineFailure(alpha),
      /asked for ExecCredential client\.authentication\.k8s\.io\/v1alpha1; set the kubeconfig's exec apiVersion/,
    );
  });

  it("discards a corrupt token cache with a note, and still answers", async () => {
    const home = await signedInHome();
    const env = baseEnv(home, { KUBERNETES_EXEC_INFO: execInfo(false) });
    assert.equal((await runCli(plugin, env, { ownParent: true })).code, 0);
    const tokenFile = cachePaths(home, stack.url).token("team-a");
    writeFileSync(tokenFile, '{"token": "half a fil');
    const result = await runCli(plugin, env, { ownParent: true });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).kind, "ExecCredential");
    assert.equal(
      result.stderr.trim(),
      "kubectl-broker: discarded an unreadable token cache file; fetching a new token",
    );
    assert.doesNotThrow(() => JSON.parse(readFileSync(tokenFile, "utf8")));
  });

  it("discards a corrupt session file with a note and says to log in", async () => {
    const home = await signedInHome();
    writeFileSync(sessionFile(home), "\u0000\u0001 not json");
    const result = await runCli(plugin, baseEnv(home, { KUBERNETES_EXEC_INFO: execInfo(false) }));
    assert.equal(
      oneLineFailure(result),
      `kubectl-broker: not signed in to kube-broker at ${stack.url}; run kubectl broker login`,
    );
    assert.match(result.stderr, /discarded an unreadable session file/);
    assert.equal(existsSync(sessionFile(home)), false);
  });

  it("an expired session: one line with when, and what to run", async () => {
    const home = await signedInHome();
    const stored = JSON.parse(readFileSync(sessionFile(home), "utf8"));
    writeFileSync(sessionFile(home), JSON.stringify({ ...stored, expiresAt: "2020-01-01T00:00:00.000Z" }));
    const result = await runCli(plugin, baseEnv(home, { KUBERNETES_EXEC_INFO: execInfo(false) }));
    assert.equal(
      oneLineFailure(result),
      `kubectl-broker: your kube-broker session for ${stack.url} expired at 2020-01-01T00:00:00.000Z; run kubectl broker login`,
    );
  });

  it("a session the broker ended: the broker's message, the login hint, and the stale session forgotten", async () => {
    const home = await signedInHome();
    const secret = JSON.parse(readFileSync(sessionFile(home), "utf8")).session as string;
    const ended = await fetch(`${stack.url}/v1/logout`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}` },
    });
    assert.equal(ended.status, 204);
    const result = await runCli(plugin, baseEnv(home, { KUBERNETES_EXEC_INFO: execInfo(false) }));
    const line = oneLineFailure(result);
    assert.match(
      line,
      /^kubectl-broker: your kube-broker session has expired or was ended; run kubectl broker login$/,
    );
    assert.doesNotMatch(result.stderr, /kbs_/);
    assert.equal(existsSync(sessionFile(home)), false);
  });

  it("an unreachable broker: one line naming it", async () => {
    const home = await signedInHome();
    const dead = `https://127.0.0.1:${await freePort()}`;
    const login = await runCli(["login", "--no-browser", "--server", dead], baseEnv(home));
    assert.match(
      oneLineFailure(login),
      new RegExp(`^kubectl-broker: cannot reach kube-broker at ${dead}: connect ECONNREFUSED`),
    );

    // A session for a broker that has since gone away.
    const stored = JSON.parse(readFileSync(sessionFile(home), "utf8"));
    const moved = cachePaths(home, dead).session;
    writeFileSync(moved, JSON.stringify({ ...stored, server: dead }));
    const result = await runCli(
      ["credential", "--server", dead, "--cluster", "test", "--role", "view"],
      baseEnv(home, { KUBERNETES_EXEC_INFO: execInfo(false) }),
    );
    assert.match(
      oneLineFailure(result),
      new RegExp(`^kubectl-broker: cannot reach kube-broker at ${dead}: connect ECONNREFUSED`),
    );
  });

  it("a broker whose CA is not trusted: says how to trust it", async () => {
    const result = await runCli(["login", "--no-browser", "--server", stack.url], baseEnv(freshHome()));
    assert.match(
      oneLineFailure(result),
      /^kubectl-broker: cannot reach kube-broker at \S+: .*certificate.*; if it uses a private CA, pass --certificate-authority FILE or set KUBE_BROKER_CA_FILE$/,
    );
  });

  it("a Status refusal from the broker is shown as its message", async () => {
    const home = await signedInHome();
    const result = await runCli(
      ["credential", "--server", stack.url, "--cluster", "test", "--role", "edit", "-n", "team-a"],
      baseEnv(home, { KUBERNETES_EXEC_INFO: execInfo(false) }),
    );
    const line = oneLineFailure(result);
    assert.match(line, /^kubectl-broker: .*edit/);
    assert.doesNotMatch(line, /\{|Status/);
  });

  after(() => {
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });
});
