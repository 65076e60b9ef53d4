import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { exitCode, type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { waitForRecord } from "../../support/audit-log.ts";
import { bearer } from "../../support/login.ts";
import { STANDING_EDIT, type Stack, startStack } from "../../support/stack.ts";

/**
 * When a grant ends under an open watch, log stream or exec session, kubectl says why (in the
 * form each protocol allows), and the audit record of the cut connection says it too.
 */
describe("streams cut by a grant's end say why", () => {
  let stack: Stack;
  let kubectl: KubectlSandbox;
  before(async () => {
    stack = await startStack({ config: STANDING_EDIT });
    kubectl = await kubectlSandbox();
  });
  after(async () => {
    await kubectl?.cleanup();
    await stack?.close();
  });

  const exited = exitCode;

  it("a revoke: the watch ends with an ERROR event, logs -f with a last line, exec with its error channel", async () => {
    const session = await stack.login("dev");
    const { token, grant } = await stack.credential(session, { role: "edit", namespace: "team-b" });
    const kubeconfig = await stack.gatewayKubeconfig("revoked", token, "team-b");
    const watch = kubectl.start(kubeconfig, ["get", "pods", "-w"]);
    const logs = kubectl.start(kubeconfig, ["logs", "-f", "api-1"]);
    const exec = kubectl.start(kubeconfig, ["exec", "api-1", "--", "sleep", "60"]);
    await Promise.all([watch.waitFor("api-1"), logs.waitFor("listening on :8080")]);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(exec.process.exitCode, null, "exec is running");

    const res = await fetch(`${stack.url}/v1/grants/${grant.id}`, {
      method: "DELETE",
      headers: bearer(session),
    });
    assert.equal(res.status, 200);
    const reason = new RegExp(`grant ${grant.id} was revoked by dev@example\\.com; ask for access again`);
    const [watchCode, logsCode, execCode] = await Promise.all([exited(watch), exited(logs), exited(exec)]);

    // kubectl shows the final ERROR event's Status like any other object of the watch.
    assert.equal(watchCode, 0);
    assert.match(watch.output(), new RegExp(`Failure\\s+Forbidden\\s+${reason.source}`));
    assert.equal(logsCode, 0, "the log stream ends cleanly, no 'unexpected EOF'");
    assert.doesNotMatch(logs.errors(), /unexpected EOF/);
    assert.match(logs.output().trimEnd().split("\n").at(-1)!, new RegExp(`^kube-broker: ${reason.source}`));
    assert.notEqual(execCode, 0);
    assert.match(exec.errors(), new RegExp(`^error: ${reason.source}`), "one line, from the error channel");
    assert.doesNotMatch(exec.errors(), /1006|abnormal closure|Unhandled Error/);

    for (const where of [
      { verb: "watch", resource: "pods" },
      { subresource: "log", name: "api-1" },
      { verb: "exec", name: "api-1" },
    ]) {
      const record = await waitForRecord(stack.redis, { ...where, grant: grant.id });
      assert.match(record.detail, reason, `the audit record of ${JSON.stringify(where)} says why`);
    }
  });

  it("a deadline: the watch says the grant expired", async () => {
    const session = await stack.login("dev");
    const { token, grant } = await stack.credential(session, {
      role: "view",
      namespace: "team-a",
      ttl: "2m",
    });
    const kubeconfig = await stack.gatewayKubeconfig("expiring", token, "team-a");
    const watch = kubectl.start(kubeconfig, ["get", "pods", "-w"]);
    await watch.waitFor("web-1");
    stack.clock.jumpTo(Date.parse(grant.expiresAt), 300);
    assert.equal(await exited(watch), 0);
    assert.match(watch.output(), new RegExp(`grant ${grant.id} expired at \\S+; ask for access again`));
  });

  it("a restart: the stopping broker ends the watch, logs -f and exec saying so", async () => {
    const session = await stack.login("dev");
    const { token } = await stack.credential(session, { role: "edit", namespace: "team-b" });
    const kubeconfig = await stack.gatewayKubeconfig("restarting", token, "team-b");
    const watch = kubectl.start(kubeconfig, ["get", "pods", "-w"]);
    const logs = kubectl.start(kubeconfig, ["logs", "-f", "api-1"]);
    const exec = kubectl.start(kubeconfig, ["exec", "api-1", "--", "sleep", "60"]);
    await Promise.all([watch.waitFor("api-1"), logs.waitFor("listening on :8080")]);
    await new Promise((r) => setTimeout(r, 500));
    const ended = Promise.all([exited(watch), exited(logs), exited(exec)]);
    await stack.restartBroker();
    const [watchCode, logsCode, execCode] = await ended;
    const reason = /the broker is restarting; run the command again to reconnect/;
    assert.equal(watchCode, 0);
    assert.match(watch.output(), new RegExp(`Failure\\s+Forbidden\\s+${reason.source}`));
    assert.equal(logsCode, 0);
    assert.match(logs.output().trimEnd().split("\n").at(-1)!, new RegExp(`^kube-broker: ${reason.source}`));
    assert.notEqual(execCode, 0);
    assert.match(exec.errors(), new RegExp(`^error: ${reason.source}`));
  });
});
