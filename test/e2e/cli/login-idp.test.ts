import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HeadlessBrowser } from "../../support/browser.ts";
import { bearer, loginAs } from "../../support/login.ts";
import { startTwoIdpStack, type TwoIdpStack } from "../../support/two-idps.ts";
import { baseEnv, type CliEnv, oneLineFailure, runCli, startCli } from "./cli-process.ts";

const FAKE_BROWSER = new URL("./fake-browser.ts", import.meta.url).pathname;

/** kubectl broker login --idp against a broker with two identity providers (two-idps.ts). */
describe("kubectl broker login --idp", () => {
  let idps: TwoIdpStack;
  let home: string;
  let env: CliEnv;

  before(async () => {
    idps = await startTwoIdpStack();
    home = mkdtempSync(join(tmpdir(), "kb-login-idp-"));
    env = baseEnv(home, { KUBE_BROKER_SERVER: idps.stack.url, KUBE_BROKER_CA_FILE: idps.stack.caFile });
  });
  after(async () => {
    rmSync(home, { recursive: true, force: true });
    await idps?.close();
  });

  const signedInAs = async () => {
    const whoami = await runCli(["whoami", "-o", "json"], env);
    assert.equal(whoami.code, 0, whoami.stderr);
    return JSON.parse(whoami.stdout).principal as { name: string; idp: string };
  };

  it("in the browser: the same person at each provider is a different person", async () => {
    for (const [idp, name] of [
      ["partners", "partners:alice@example.com"],
      ["employees", "alice@example.com"],
    ] as const) {
      const login = startCli(["login", "--idp", idp, "--no-browser"], env);
      const [url] = await login.waitFor(/https:\/\/\S+\/v1\/login\/start\S+/);
      assert.equal(new URL(url).searchParams.get("idp"), idp);
      await new HeadlessBrowser().visit(url, { login: "alice" });
      const done = await login.exited;
      assert.equal(done.code, 0, done.stderr);
      assert.match(done.stderr, new RegExp(`Signed in to \\S+ as ${name.replace(/\./g, "\\.")} until `));
      assert.deepEqual(await signedInAs().then((p) => [p.name, p.idp]), [name, idp]);
    }
  });

  it("--device at a named provider", async () => {
    const login = startCli(["login", "--device", "--idp", "partners"], env);
    const [, complete] = await login.waitFor(/\(or open (\S+)\)/);
    assert.ok(complete!.startsWith(idps.partners.issuer), "the code is entered at partners' IdP");
    await new HeadlessBrowser().visit(complete!, { login: "bob" });
    const done = await login.exited;
    assert.equal(done.code, 0, done.stderr);
    assert.equal((await signedInAs()).name, "partners:bob@partner.example");
    const text = await runCli(["whoami"], env);
    assert.match(
      text.stdout,
      /^User: +partners:bob@partner\.example\nGroups: +partners:developers\nProvider: partners\n/,
    );
  });

  it("the exec plugin signs in again at the provider of the session it replaces", async () => {
    // The session kept from the test before is bob's at partners; an admin ends it.
    const admin = await loginAs(idps.stack.url, "admin", "employees");
    const revoked = await fetch(`${idps.stack.url}/v1/sessions/revoke`, {
      method: "POST",
      headers: bearer(admin),
      body: JSON.stringify({ subject: "partners:bob" }),
    });
    assert.equal(revoked.status, 200);
    const record = join(home, "browser-calls");
    const plugin = await runCli(
      ["credential", "--cluster", "test", "--role", "view", "-n", "team-b"],
      {
        ...env,
        KUBERNETES_EXEC_INFO: JSON.stringify({
          apiVersion: "client.authentication.k8s.io/v1",
          kind: "ExecCredential",
          spec: { interactive: true },
        }),
        BROWSER: `${process.execPath} ${FAKE_BROWSER} ${record} %s`,
        FAKE_BROWSER_LOGIN: "bob",
        NODE_EXTRA_CA_CERTS: idps.stack.caFile,
      },
      { timeoutMs: 60_000 },
    );
    assert.equal(plugin.code, 0, plugin.stderr);
    assert.equal(JSON.parse(plugin.stdout).kind, "ExecCredential");
    const [opened] = readFileSync(record, "utf8").trim().split("\n");
    assert.equal(new URL(opened!).searchParams.get("idp"), "partners", "no choice page in between");
    assert.equal((await signedInAs()).name, "partners:bob@partner.example");
  });

  it("an unknown --idp is one line naming the providers there are", async () => {
    assert.equal(
      oneLineFailure(await runCli(["login", "--idp", "contractors", "--no-browser"], env)),
      'kubectl-broker: the broker has no identity provider "contractors"; it has: employees, partners, down',
    );
  });

  it("--device without --idp, with several providers, asks for one", async () => {
    assert.equal(
      oneLineFailure(await runCli(["login", "--device"], env)),
      "kubectl-broker: the broker has several identity providers; choose one with --idp: employees, partners, down",
    );
  });

  it("a provider that is down is said so, in one line", async () => {
    const failure = oneLineFailure(await runCli(["login", "--device", "--idp", "down"], env));
    assert.match(
      failure,
      /^kubectl-broker: identity provider "down" \(http:\/\/127\.0\.0\.1:\d+\) could not be reached$/,
    );
  });
});
