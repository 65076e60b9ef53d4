import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HeadlessBrowser } from "../../support/browser.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { baseEnv, type CliEnv, oneLineFailure, runCli, startCli } from "./cli-process.ts";

/** The ways a sign-in can go besides the happy loopback one (which kubectl-plugin.test.ts covers). */
describe("kubectl broker login", () => {
  let stack: Stack;
  let home: string;
  let env: CliEnv;

  before(async () => {
    stack = await startStack();
    home = mkdtempSync(join(tmpdir(), "kb-login-"));
    env = baseEnv(home, { KUBE_BROKER_SERVER: stack.url, KUBE_BROKER_CA_FILE: stack.caFile });
  });
  after(async () => {
    rmSync(home, { recursive: true, force: true });
    await stack?.close();
  });

  it("--device: shows the code and URL, and polls until the person signed in elsewhere", async () => {
    const login = startCli(["login", "--device"], env);
    const [, complete] = await login.waitFor(/\(or open (\S+)\)/);
    assert.match(login.stderr(), /^To sign in, open \S+ and enter the code \S+$/m);
    await new HeadlessBrowser().visit(complete!, { login: "approver" });
    const done = await login.exited;
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stderr, /Signed in to \S+ as approver@example\.com until /);

    const whoami = await runCli(["whoami", "-o", "json"], env);
    assert.equal(whoami.code, 0, whoami.stderr);
    const me = JSON.parse(whoami.stdout);
    assert.equal(me.principal.name, "approver@example.com");
    assert.equal(me.admin, false);
  });

  it("a sign-in the IdP refuses ends with its reason, in one line", async () => {
    const login = startCli(["login", "--no-browser"], env);
    const [url] = await login.waitFor(/https:\/\/\S+\/v1\/login\/start\S+/);
    const start = new URL(url);
    const callback = new URL(start.searchParams.get("redirect_uri")!);
    callback.search = new URLSearchParams({
      error: "access_denied",
      error_description: "the person said no",
      state: start.searchParams.get("state")!,
    }).toString();
    const page = await fetch(callback);
    assert.equal(page.status, 400);
    assert.equal(
      oneLineFailure(await login.exited),
      "kubectl-broker: the sign-in was refused: the person said no; run kubectl broker login again",
    );
  });

  it("a callback with someone else's state is ignored; the login then times out clearly", async () => {
    const login = startCli(["login", "--no-browser", "--timeout", "2s"], env);
    const [url] = await login.waitFor(/https:\/\/\S+\/v1\/login\/start\S+/);
    const callback = new URL(new URL(url).searchParams.get("redirect_uri")!);
    callback.search = "code=stolen&state=not-ours-not-ours";
    assert.equal((await fetch(callback)).status, 400);
    assert.equal(
      oneLineFailure(await login.exited),
      "kubectl-broker: the sign-in did not finish within 2s; run kubectl broker login again",
    );
  });

  it("kubeconfig names the clusters the broker has when asked for another", async () => {
    const result = await runCli(
      ["kubeconfig", "--cluster", "nope", "--role", "view", "--file", join(home, "k")],
      env,
    );
    assert.equal(oneLineFailure(result), 'kubectl-broker: the broker has no cluster "nope"; it has: test');
  });
});
