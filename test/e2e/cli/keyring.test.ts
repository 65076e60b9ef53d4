import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { KEYRING_SERVICE, keyringAccount } from "../../../src/cli/cache/session-keyring.ts";
import { type SecretService, startSecretService } from "../../support/secret-service.ts";
import { oneLineFailure, runCli } from "./cli-process.ts";
import { type Developer, useDeveloper } from "./developer.ts";
import { scriptedLogin } from "./signed-in.ts";

/**
 * The broker session in the OS keyring, with Linux's Secret Service run headless (Debian's
 * gnome-keyring on a D-Bus session bus of the test's own), the real kubectl running the
 * plugin; then the same keyring locked, where the file takes over.
 */
describe("the broker session in the OS keyring (a headless Secret Service)", () => {
  const developer = useDeveloper();
  const keyringDir = mkdtempSync(join(tmpdir(), "kb-keyring-"));
  let service: SecretService | undefined;

  let env: Developer["env"];
  let stack: Developer["stack"];
  let paths: Developer["paths"];
  let kubectl: Developer["kubectl"];
  const inKeyring = () =>
    service!.lookup({ service: KEYRING_SERVICE, username: keyringAccount(stack.url, paths.dir) });
  const sessionFile = () => readFileSync(paths.session, "utf8");
  /** kubectl get pods through the plugin, with no token cached: the plugin needs the session. */
  const getPods = async (kubeconfig: string) => {
    rmSync(paths.token("team-a"), { force: true });
    return kubectl.run(kubeconfig, ["get", "pods"], { env: service!.env });
  };

  before(async () => {
    ({ env, stack, paths, kubectl } = developer());
    service = await startSecretService(keyringDir, "unlocked");
    Object.assign(env, service.env);
  });
  after(async () => {
    await service?.stop();
    rmSync(keyringDir, { recursive: true, force: true });
  });

  it("login keeps the secret in the keyring and the rest in the file; kubectl works through the plugin", async () => {
    const login = await developer().login();
    assert.equal(login.code, 0, login.stderr);
    assert.doesNotMatch(login.stderr, /keyring/, "no fallback note");
    assert.doesNotMatch(login.stderr, /kbs_/, "the secret is never printed");
    assert.match((await inKeyring()) ?? "", /^kbs_/);
    const record = JSON.parse(sessionFile());
    assert.equal(record.keyring, true);
    assert.equal(record.session, undefined);
    assert.equal(record.principal.name, "dev@example.com");
    assert.doesNotMatch(sessionFile(), /kbs_/, "no secret on disk");
    assert.equal(statSync(paths.session).mode & 0o777, 0o600);

    const whoami = await runCli(["whoami"], env);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(whoami.stdout, /User: +dev@example\.com/);

    const kubeconfig = join(kubectl.dir, "keyring.kubeconfig");
    const written = await runCli(
      ["kubeconfig", "--cluster", "test", "--role", "view", "-n", "team-a", "--file", kubeconfig].concat([
        "--token-cache-storage",
        "keyring",
      ]),
      env,
    );
    assert.equal(written.code, 0, written.stderr);
    const args: string[] = parse(readFileSync(kubeconfig, "utf8")).users[0].user.exec.args;
    assert.deepEqual(args.slice(-2), ["--token-cache-storage", "keyring"]);
    const pods = await getPods(kubeconfig);
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /web-/);
    assert.equal(pods.stderr, "");
  });

  it("a run told to use the disk finds no stale file: one line saying where the session is", async () => {
    const whoami = await runCli(["whoami"], { ...env, KUBE_BROKER_TOKEN_CACHE_STORAGE: "disk" });
    assert.equal(
      oneLineFailure(whoami),
      `kubectl-broker: your kube-broker session for ${stack.url} is in the OS keyring, which --token-cache-storage disk leaves alone; run kubectl broker login`,
    );
  });

  it("moving to the disk and back: each login leaves the secret in one place only", async () => {
    const toDisk = await scriptedLogin(stack.url, env, "dev", [
      "--certificate-authority",
      stack.caFile,
      "--token-cache-storage",
      "disk",
    ]);
    assert.equal(toDisk.code, 0, toDisk.stderr);
    assert.match(JSON.parse(sessionFile()).session, /^kbs_/);
    assert.equal(await inKeyring(), undefined, "the keyring's copy went with the session it held");

    const back = await developer().login();
    assert.equal(back.code, 0, back.stderr);
    assert.match((await inKeyring()) ?? "", /^kbs_/);
    assert.doesNotMatch(sessionFile(), /kbs_/, "the file's copy is gone");
  });

  it("logout ends the session at the broker and removes it from the keyring and the file", async () => {
    const login = await developer().login();
    assert.equal(login.code, 0, login.stderr);
    const secret = await inKeyring();
    assert.match(secret ?? "", /^kbs_/);
    const logout = await runCli(["logout"], env);
    assert.equal(logout.code, 0, logout.stderr);
    assert.match(logout.stderr, /^Signed out of /);
    assert.equal(await inKeyring(), undefined);
    assert.equal(existsSync(paths.session), false);
    const refused = await fetch(`${stack.url}/v1/whoami`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(refused.status, 401, "ended at the broker too");
  });

  it("without any D-Bus session (a server, a container): the file, with one line saying so", async () => {
    const { DBUS_SESSION_BUS_ADDRESS: _bus, ...noBus } = env;
    const login = await scriptedLogin(stack.url, noBus, "dev", ["--certificate-authority", stack.caFile]);
    assert.equal(login.code, 0, login.stderr);
    assert.match(
      login.stderr,
      /^kubectl-broker: the OS keyring is not available \(.*DBUS_SESSION_BUS_ADDRESS.*\); kept the session in \S+ \(mode 0600\)$/m,
    );
    assert.match(JSON.parse(sessionFile()).session, /^kbs_/);
    assert.doesNotMatch(login.stderr, /kbs_/);
    assert.equal((await runCli(["logout"], env)).code, 0);
  });

  it("a locked keyring: by default the file, with one line saying so; asked for by name, refused before signing in", async () => {
    await service!.stop();
    service = await startSecretService(keyringDir, "locked");
    Object.assign(env, service.env);

    const asked = await runCli(
      ["login", "--no-browser", "--server", stack.url, "--token-cache-storage", "keyring"],
      { ...env, KUBE_BROKER_CA_FILE: stack.caFile },
    );
    assert.match(
      oneLineFailure(asked),
      /^kubectl-broker: cannot keep the session in the OS keyring \(.+\); sign in with --token-cache-storage disk to keep it in a file$/,
    );
    assert.doesNotMatch(asked.stderr, /login\/start/, "refused before any sign-in");

    const login = await developer().login();
    assert.equal(login.code, 0, login.stderr);
    assert.match(
      login.stderr,
      /^kubectl-broker: the OS keyring is not available \(.+unlock prompt was dismissed\); kept the session in \S+session-\S+\.json \(mode 0600\)$/m,
    );
    assert.match(JSON.parse(sessionFile()).session, /^kbs_/);
    const pods = await getPods(await developer().kubeconfig("team-a"));
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /web-/);
  });
});
