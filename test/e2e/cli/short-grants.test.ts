import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { bearer } from "../../support/login.ts";
import type { Stack } from "../../support/stack.ts";
import { runCli } from "./cli-process.ts";
import { type Developer, useDeveloper } from "./developer.ts";

/**
 * A grant is usable until its deadline, with real kubectl and the exec plugin: a one-minute
 * grant from an approved request works at once, its last seconds still mint a token, and
 * after the deadline kubectl says the grant ended and how to ask again.
 */
describe("a short grant with kubectl, edge to edge", () => {
  const developer = useDeveloper();
  let dev: Developer;
  let stack: Stack;
  let kubeconfig: string;
  let grant: { id: string; expiresAt: string };

  before(async () => {
    dev = developer();
    stack = dev.stack;
    assert.equal((await dev.login()).code, 0);
    kubeconfig = join(dev.kubectl.dir, "edit-payments.kubeconfig");
    const written = await runCli(
      ["kubeconfig", "--cluster", "test", "--role", "edit", "-n", "payments", "--file", kubeconfig],
      dev.env,
    );
    assert.equal(written.code, 0, written.stderr);
  });

  const api = async (user: string, path: string, body: unknown) => {
    const res = await fetch(`${stack.url}/v1${path}`, {
      method: "POST",
      headers: bearer(await stack.login(user)),
      body: JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${path}: ${res.status} ${text}`);
    return JSON.parse(text) as { id: string; grantId?: string };
  };
  const getConfigMaps = () => dev.kubectl.run(kubeconfig, ["get", "configmaps"]);
  const forgetCachedTokens = () => rmSync(dev.paths.token("payments", "edit"), { force: true });

  it("a one-minute grant from an approved request works at once", async () => {
    const request = await api("dev", "/requests", {
      cluster: "test",
      role: "edit",
      namespace: "payments",
      duration: "1m",
      reason: "INC-77",
    });
    const approved = await api("approver", `/requests/${request.id}/approve`, {});
    assert.ok(approved.grantId);
    const listed = await fetch(`${stack.url}/v1/grants/${approved.grantId}`, {
      headers: bearer(await stack.login("dev")),
    });
    grant = (await listed.json()) as { id: string; expiresAt: string };
    const first = await getConfigMaps();
    assert.equal(first.code, 0, first.stderr);
  });

  it("its last seconds still mint a token from it", async () => {
    stack.clock.jumpTo(Date.parse(grant.expiresAt), 8_000);
    forgetCachedTokens();
    const last = await getConfigMaps();
    assert.equal(last.code, 0, last.stderr);
    assert.doesNotMatch(last.stderr, /no policy/);
  });

  it("after the deadline kubectl says the grant ended and how to ask again", async () => {
    stack.clock.jumpTo(Date.parse(grant.expiresAt), -1);
    const session = await stack.login("dev");
    const deadline = Date.now() + 5000;
    for (;;) {
      const res = await fetch(`${stack.url}/v1/grants/${grant.id}`, { headers: bearer(session) });
      if (((await res.json()) as { state: string }).state === "ended" || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    forgetCachedTokens();
    const after = await getConfigMaps();
    assert.notEqual(after.code, 0);
    assert.match(
      after.stderr,
      new RegExp(`your grant ${grant.id} for this access ended at \\S+ \\(reached its deadline\\)`),
    );
    assert.match(after.stderr, /ask for it with kubectl broker request/);
  });
});
