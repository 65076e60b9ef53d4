import assert from "node:assert/strict";
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import type { KubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import type { Stack } from "../../support/stack.ts";
import { BUNDLE, type CliEnv, runCli } from "./cli-process.ts";
import { type Developer, useDeveloper } from "./developer.ts";

/**
 * The developer's path end to end, with the real kubectl: login, kubeconfig, then plain
 * `kubectl get pods` through the gateway with the plugin minting and caching tokens.
 */
describe("kubectl with the exec plugin", () => {
  const developer = useDeveloper();
  let stack: Stack;
  let kubectl: KubectlSandbox;
  let env: CliEnv;
  let kubeconfig: string;
  let paths: Developer["paths"];

  before(() => {
    ({ stack, kubectl, env, paths } = developer());
    kubeconfig = join(kubectl.dir, "kubeconfig");
  });

  /**
   * How many tokens the broker handed out to dev (its token.issued audit events). The event
   * is published just after the answer, so this waits up to a few seconds for `expected`,
   * and a moment in any case so that an unexpected extra one would be seen.
   */
  const tokensIssued = async (expected?: number): Promise<number> => {
    const deadline = Date.now() + 5000;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const result = await runCli(
        ["audit", "query", "--type", "lifecycle", "--since", "10m", "-o", "json"],
        env,
      );
      assert.equal(result.code, 0, result.stderr);
      const count = result.stdout
        .split("\n")
        .filter(Boolean)
        .filter((line) => (JSON.parse(line) as { event: string }).event === "token.issued").length;
      if (expected === undefined || count >= expected || Date.now() > deadline) return count;
    }
  };

  it("logs in through the browser and keeps the session private", async () => {
    const login = await developer().login();
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout, "");
    assert.match(login.stderr, /Signed in to https:\/\/127\.0\.0\.1:\d+ as dev@example\.com until /);
    assert.equal(statSync(paths.dir).mode & 0o777, 0o700);
    assert.equal(statSync(paths.session).mode & 0o777, 0o600);
    assert.match(JSON.parse(readFileSync(paths.session, "utf8")).session, /^kbs_/);
    assert.doesNotMatch(login.stderr, /kbs_/, "the session secret is never printed");

    const whoami = await runCli(["whoami"], env);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(whoami.stdout, /User: +dev@example\.com/);
    assert.match(whoami.stdout, /view on test in team-\*/);
  });

  it("writes a kubeconfig whose exec plugin makes kubectl get pods work, the second run from the cache", async () => {
    const written = await runCli(
      ["kubeconfig", "--cluster", "test", "--role", "view", "-n", "team-a", "--file", kubeconfig],
      env,
    );
    assert.equal(written.code, 0, written.stderr);
    assert.equal(statSync(kubeconfig).mode & 0o777, 0o600);
    const config = parse(readFileSync(kubeconfig, "utf8"));
    assert.equal(config["current-context"], "broker-test-view-team-a");
    const exec = config.users[0].user.exec;
    assert.equal(exec.command, process.execPath);
    assert.deepEqual(exec.args, [
      BUNDLE,
      "credential",
      "--server",
      stack.url,
      "--cluster",
      "test",
      "--role",
      "view",
      "--namespace",
      "team-a",
    ]);
    assert.equal(exec.interactiveMode, "IfAvailable");
    assert.equal(exec.provideClusterInfo, true);
    assert.equal(config.clusters[0].cluster.server, `${stack.url}/clusters/test`);

    const before = await tokensIssued();
    const first = await kubectl.run(kubeconfig, ["get", "pods"]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /web-/);
    assert.equal(await tokensIssued(before + 1), before + 1, "one token for the first run");
    const tokenFile = paths.token("team-a");
    const cachedAt = statSync(tokenFile).mtimeMs;
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);

    const second = await kubectl.run(kubeconfig, ["get", "pods", "-o", "name"]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /pod\/web-/);
    assert.equal(await tokensIssued(before + 1), before + 1, "no broker call for the second run");
    assert.equal(statSync(tokenFile).mtimeMs, cachedAt);
  });

  it("ten parallel kubectl runs with a cold cache make one credential request and all succeed", async () => {
    const config = await developer().kubeconfig("team-b");
    rmSync(paths.token("team-b"), { force: true });
    const before = await tokensIssued();
    // Without the CA remembered at login, the plugin trusts the broker through the cluster CA
    // kubectl hands it (provideClusterInfo: the gateway's CA is the broker's).
    const stored = readFileSync(paths.session, "utf8");
    const { ca: _remembered, ...withoutCa } = JSON.parse(stored);
    writeFileSync(paths.session, JSON.stringify(withoutCa));
    const runs = await Promise.all(
      Array.from({ length: 10 }, () => kubectl.run(config, ["get", "pods"], { timeoutMs: 60_000 })),
    );
    writeFileSync(paths.session, stored);
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    assert.equal(await tokensIssued(before + 1), before + 1);
    const cached = JSON.parse(readFileSync(paths.token("team-b"), "utf8"));
    assert.equal(cached.namespace, "team-b");
    assert.ok(Date.parse(cached.expirationTimestamp) > Date.now() + 60_000);
  });

  it("lists grants; revoke ends one and the next kubectl run gets a new grant", async () => {
    const listed = await runCli(["grants", "-o", "json"], env);
    assert.equal(listed.code, 0, listed.stderr);
    const { items } = JSON.parse(listed.stdout) as {
      items: { id: string; namespaces: string[]; state: string }[];
    };
    const teamA = items.find((g) => g.namespaces.includes("team-a"))!;
    assert.equal(teamA.state, "active");
    const table = await runCli(["grants"], env);
    assert.match(table.stdout, /^ID +CLUSTER +ROLE +NAMESPACES +STATE +ENDS +ORIGIN/);
    assert.match(table.stdout, new RegExp(`${teamA.id} +test +view +team-a +active +in `));

    const revoked = await runCli(["revoke", teamA.id], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stderr, new RegExp(`Grant ${teamA.id} \\(view on test\\) is ended`));

    // revoke forgot the grant's cached token, so the next run asks for (and gets) a new grant.
    const next = await kubectl.run(kubeconfig, ["get", "pods"]);
    assert.equal(next.code, 0, next.stderr);
    assert.notEqual(JSON.parse(readFileSync(paths.token("team-a"), "utf8")).grantId, teamA.id);
  });

  it("after a grant ends elsewhere, the refused cached token is replaced on kubectl's retry", async () => {
    const grantId = JSON.parse(readFileSync(paths.token("team-a"), "utf8")).grantId as string;
    const session = JSON.parse(readFileSync(paths.session, "utf8")).session as string;
    const ended = await fetch(`${stack.url}/v1/grants/${grantId}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${session}` },
    });
    assert.equal(ended.status, 200);

    // kubectl is refused (401) and runs the plugin again in the same process: that second
    // call before expiry tells the plugin the token is dead, and it fetches a new one.
    const refused = await kubectl.run(kubeconfig, ["get", "pods"]);
    assert.match(refused.stderr, /the cached token was refused/);
    const after = await kubectl.run(kubeconfig, ["get", "pods"]);
    assert.equal(after.code, 0, after.stderr);
    assert.notEqual(JSON.parse(readFileSync(paths.token("team-a"), "utf8")).grantId, grantId);
  });
});
