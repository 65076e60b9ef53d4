import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { brokerTarget, sessionSecret } from "../../../src/cli/broker/session-access.ts";
import { keyringAccount } from "../../../src/cli/cache/session-keyring.ts";
import { storageChoice } from "../../../src/cli/cache/session-storage.ts";
import { SessionStore } from "../../../src/cli/cache/session-store.ts";
import { CliError, UsageError } from "../../../src/cli/cli-error.ts";
import { execUser } from "../../../src/cli/kubeconfig/exec-user.ts";
import { runCli } from "../../../src/cli/run-cli.ts";
import { fakeBroker } from "../../support/fakes/fake-broker.ts";
import { fakeContext } from "../../support/fakes/fake-cli-context.ts";

/**
 * Where the broker session is kept: the option, the file with or without the secret, and
 * the paths that must never reach the OS keyring (the keyring itself: test/e2e/cli/keyring.test.ts).
 */
const SERVER = "https://kb.example";
const session = {
  server: SERVER,
  session: "kbs_secret",
  expiresAt: "2030-01-01T00:00:00.000Z",
  principal: { name: "dev@example.com" },
};

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "kb-storage-"));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("--token-cache-storage", () => {
  it("defaults to the keyring, not named; the flag wins over the variable", () => {
    assert.deepEqual(storageChoice(undefined, {}), { storage: "keyring", explicit: false });
    assert.deepEqual(storageChoice(undefined, { KUBE_BROKER_TOKEN_CACHE_STORAGE: "disk" }), {
      storage: "disk",
      explicit: true,
    });
    assert.deepEqual(storageChoice("keyring", { KUBE_BROKER_TOKEN_CACHE_STORAGE: "disk" }), {
      storage: "keyring",
      explicit: true,
    });
  });

  it("refuses kubelogin's none, and anything else, in one line naming where it came from", () => {
    assert.throws(
      () => storageChoice("none", {}),
      new UsageError(
        "--token-cache-storage none is not offered: the session must outlive this run (keyring or disk)",
      ),
    );
    assert.throws(
      () => storageChoice(undefined, { KUBE_BROKER_TOKEN_CACHE_STORAGE: "file" }),
      new UsageError('KUBE_BROKER_TOKEN_CACHE_STORAGE must be keyring or disk, not "file"'),
    );
  });

  it("is written into the kubeconfig's plugin command when given", () => {
    const self = { node: "/node", script: "/cli.js" };
    const input = {
      server: SERVER,
      cluster: "c",
      role: "view",
      namespaces: [],
      execCommand: undefined,
      self,
    };
    const args = (user: Record<string, unknown>) => (user.exec as { args: string[] }).args;
    assert.deepEqual(args(execUser({ ...input, storage: "disk" })).slice(-2), [
      "--token-cache-storage",
      "disk",
    ]);
    assert.equal(args(execUser(input)).includes("--token-cache-storage"), false);
  });

  it("names the keyring entry by broker and cache directory, so several sit side by side", () => {
    assert.notEqual(keyringAccount(SERVER, "/a"), keyringAccount("https://other.example", "/a"));
    assert.notEqual(keyringAccount(SERVER, "/a"), keyringAccount(SERVER, "/b"));
    assert.match(keyringAccount(SERVER, "/a"), /^https:\/\/kb\.example /);
  });
});

describe("the session file", () => {
  it("holds the secret for the disk, and all but the secret for the keyring, replaced in one step", () => {
    const store = new SessionStore(freshDir());
    store.write(session, "file");
    assert.deepEqual(store.read(SERVER).session, session);
    store.write(session, "keyring");
    const { session: _secret, ...info } = session;
    assert.deepEqual(store.read(SERVER).session, { ...info, keyring: true });
    assert.doesNotMatch(readFileSync(store.fileOf(SERVER), "utf8"), /kbs_/);
  });

  it("is damaged when it holds both a secret and a keyring mark, or neither", () => {
    const store = new SessionStore(freshDir());
    const { session: _secret, ...info } = session;
    for (const record of [{ ...session, keyring: true }, info]) {
      writeFileSync(store.fileOf(SERVER), JSON.stringify(record));
      assert.deepEqual(store.read(SERVER), { corrupt: true });
    }
  });
});

describe("a session's secret", () => {
  it("comes from the file without touching the keyring", async () => {
    const { ctx } = fakeContext({ KUBE_BROKER_CACHE_DIR: freshDir() });
    assert.equal(await sessionSecret(brokerTarget(ctx, { server: SERVER }), session), "kbs_secret");
  });

  it("in the keyring, with the disk asked for: one line, and the keyring left alone", async () => {
    const { ctx } = fakeContext({
      KUBE_BROKER_CACHE_DIR: freshDir(),
      KUBE_BROKER_TOKEN_CACHE_STORAGE: "disk",
    });
    const { session: _secret, ...info } = session;
    await assert.rejects(
      sessionSecret(brokerTarget(ctx, { server: SERVER }), { ...info, keyring: true }),
      new CliError(
        `your kube-broker session for ${SERVER} is in the OS keyring, which --token-cache-storage disk leaves alone; run kubectl broker login`,
      ),
    );
  });
});

describe("logout with --token-cache-storage disk", () => {
  it("ends a file's session at the broker and removes the file", async () => {
    const broker = await fakeBroker({ "POST /v1/logout": { status: 204, body: "" } });
    try {
      const dir = freshDir();
      const store = new SessionStore(dir);
      store.write({ ...session, server: broker.url }, "file");
      const { ctx, printed } = fakeContext({ KUBE_BROKER_CACHE_DIR: dir });
      assert.equal(await runCli(["logout", "--server", broker.url, "--token-cache-storage", "disk"], ctx), 0);
      assert.equal(printed.stderr, `Signed out of ${broker.url}.\n`);
      assert.deepEqual(
        broker.asked.map((a) => `${a.method} ${a.path}`),
        ["POST /v1/logout"],
      );
      assert.equal(existsSync(store.fileOf(broker.url)), false);
    } finally {
      await broker.close();
    }
  });
});
