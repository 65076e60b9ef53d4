import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { type CiIssuerHarness, ciTestRules } from "../../support/ci-issuer.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { baseEnv, type CliEnv, NODE_PATH, oneLineFailure, runCli } from "./cli-process.ts";

const AUDIENCE = "kube-broker";
const MAIN = { repository: "acme/web", ref: "refs/heads/main" };

/** A CI job's step, against the CI issuer harness: GitHub's request endpoint, GitLab's variable. */
describe("kubectl broker ci-token", () => {
  let stack: Stack;
  let ci: CiIssuerHarness;
  let kubectl: KubectlSandbox;
  let home: string;
  let broker: string[];

  before(async () => {
    stack = await startStack({
      ci: true,
      config: ({ ci }) => ({ ci: { rules: ciTestRules(ci!.issuer, AUDIENCE) } }),
    });
    ci = stack.ci!;
    process.env.PATH = NODE_PATH;
    kubectl = await kubectlSandbox();
    home = mkdtempSync(join(tmpdir(), "kb-ci-"));
    broker = ["--server", stack.url, "--certificate-authority", stack.caFile];
  });
  after(async () => {
    rmSync(home, { recursive: true, force: true });
    await kubectl?.cleanup();
    await stack?.close();
  });

  const githubJob = (claims: { repository: string; ref: string }): CliEnv =>
    baseEnv(home, { GITHUB_ACTIONS: "true", ...ci.githubRequestEnv(claims) });

  it("GitHub: an allowed job gets a kubeconfig that works, and revoke --self ends it", async () => {
    const path = join(home, "job.kubeconfig");
    const result = await runCli(
      ["ci-token", ...broker, "--cluster", "test", "--write-kubeconfig", path],
      githubJob(MAIN),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      /^Wrote .*job\.kubeconfig: edit on test in team-a until \S+ \(grant \S+\)\.\n$/,
    );
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const config = parse(readFileSync(path, "utf8"));
    assert.doesNotMatch(result.stderr, new RegExp(config.users[0].user.token));

    const pods = await kubectl.run(path, ["get", "pods", "-n", "team-a"]);
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /web-/);

    // The always-run last step: no session, no --server; everything is in the kubeconfig.
    const revoked = await runCli(["revoke", "--self", "--kubeconfig", path], baseEnv(home));
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stderr, /^Grant \S+ \(edit on test\) is ended\.$/m);
    const after = await kubectl.run(path, ["get", "pods", "-n", "team-a"]);
    assert.notEqual(after.code, 0);

    const again = await runCli(["revoke", "--self", "--kubeconfig", path], baseEnv(home));
    assert.match(oneLineFailure(again), /^kubectl-broker: /);
  });

  it("GitHub: a job the rules do not allow is refused in one line, and nothing is written", async () => {
    const path = join(home, "refused.kubeconfig");
    const result = await runCli(
      ["ci-token", ...broker, "--write-kubeconfig", path],
      githubJob({ ...MAIN, ref: "refs/heads/dev" }),
    );
    assert.equal(
      oneLineFailure(result),
      "kubectl-broker: no CI rule lets repo:acme/web:ref:refs/heads/dev use any cluster",
    );
    assert.throws(() => statSync(path), /ENOENT/);
  });

  it("GitLab: reads the id_tokens variable and prints the credential as JSON", async () => {
    const token = await ci.gitlab({ project_path: "acme/infra" }, { audience: AUDIENCE });
    const result = await runCli(
      ["ci-token", ...broker],
      baseEnv(home, { GITLAB_CI: "true", KUBE_BROKER_ID_TOKEN: token }),
    );
    assert.equal(result.code, 0, result.stderr);
    const credential = JSON.parse(result.stdout);
    assert.equal(credential.role, "view");
    assert.deepEqual(credential.namespaces, ["team-b"]);
    assert.ok(credential.token);
    assert.equal(credential.kubeconfig, undefined);
  });

  it("env:VAR and a named GitLab variable", async () => {
    const token = await ci.gitlab({ project_path: "acme/infra" }, { audience: AUDIENCE });
    const viaEnv = await runCli(
      ["ci-token", ...broker, "--provider", "env:MY_ID_TOKEN"],
      baseEnv(home, { MY_ID_TOKEN: token }),
    );
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    const again = await ci.gitlab({ project_path: "acme/infra" }, { audience: AUDIENCE });
    const named = await runCli(
      ["ci-token", ...broker, "--provider", "gitlab", "--token-variable", "KB_TOKEN"],
      baseEnv(home, { KB_TOKEN: again }),
    );
    assert.equal(named.code, 0, named.stderr);
  });

  it("says what is missing when there is no ID token to be had", async () => {
    const unknown = await runCli(["ci-token", ...broker], baseEnv(home));
    assert.equal(unknown.code, 2);
    assert.equal(
      oneLineFailure(unknown),
      "kubectl-broker: cannot tell which CI this is; pass --provider github, gitlab or env:VARIABLE",
    );
    const noPermission = await runCli(["ci-token", ...broker], baseEnv(home, { GITHUB_ACTIONS: "true" }));
    assert.match(oneLineFailure(noPermission), /permissions: id-token: write/);
    const noVariable = await runCli(["ci-token", ...broker], baseEnv(home, { GITLAB_CI: "true" }));
    assert.match(
      oneLineFailure(noVariable),
      /no ID token in \$KUBE_BROKER_ID_TOKEN; give the job "id_tokens: /,
    );
  });
});
