import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { waitForRecord } from "../../support/audit-log.ts";
import { bearer } from "../../support/login.ts";
import { type Stack, startStack } from "../../support/stack.ts";

/** One login, two brokered clusters: grants, revokes, open sessions and audit records stay apart. */
describe("two clusters, one login", () => {
  let stack: Stack;
  let kubectl: KubectlSandbox;
  before(async () => {
    stack = await startStack({ secondCluster: true });
    kubectl = await kubectlSandbox();
  });
  after(async () => {
    await kubectl?.cleanup();
    await stack?.close();
  });

  it("reaches both with one session; a revoke on one cuts only that cluster's watch", async () => {
    const session = await stack.login("dev");
    const first = await stack.credential(session, { cluster: "test", role: "view", namespace: "team-a" });
    const second = await stack.credential(session, { cluster: "test-2", role: "view", namespace: "team-a" });
    assert.notEqual(first.grant.id, second.grant.id, "a grant of its own on each cluster");

    const kubeconfigs = {
      test: await stack.gatewayKubeconfig("one", first.token, "team-a", "test"),
      "test-2": await stack.gatewayKubeconfig("two", second.token, "team-a", "test-2"),
    };
    for (const kubeconfig of Object.values(kubeconfigs)) {
      const pods = await kubectl.run(kubeconfig, ["get", "pods"]);
      assert.equal(pods.code, 0, pods.stderr);
    }
    const crossed = await stack.gatewayKubeconfig("crossed", first.token, "team-a", "test-2");
    const refused = await kubectl.run(crossed, ["get", "pods"]);
    assert.notEqual(refused.code, 0, "a token of one cluster's grant is no use at the other");

    const watches = {
      test: kubectl.start(kubeconfigs.test, ["get", "pods", "-w"]),
      "test-2": kubectl.start(kubeconfigs["test-2"], ["get", "pods", "-w"]),
    };
    await Promise.all([watches.test.waitFor("web-1"), watches["test-2"].waitFor("web-1")]);

    const revokedAt = Date.now();
    const res = await fetch(`${stack.url}/v1/grants/${first.grant.id}`, {
      method: "DELETE",
      headers: bearer(session),
    });
    assert.equal(res.status, 200);
    const closedAt = await new Promise<number>((resolve) =>
      watches.test.process.once("exit", () => resolve(Date.now())),
    );
    assert.ok(
      closedAt - revokedAt < 1000,
      `the revoked cluster's watch closed after ${closedAt - revokedAt} ms`,
    );

    // The other cluster's watch is still open and still delivers.
    assert.equal(watches["test-2"].process.exitCode, null);
    stack.standIn2!.store.create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "after-revoke", namespace: "team-a" },
      spec: { containers: [{ name: "app", image: "busybox" }] },
    });
    await watches["test-2"].waitFor("after-revoke");
    watches["test-2"].stop();

    const afterRevoke = {
      test: await kubectl.run(kubeconfigs.test, ["get", "pods"]),
      "test-2": await kubectl.run(kubeconfigs["test-2"], ["get", "pods"]),
    };
    assert.notEqual(afterRevoke.test.code, 0, "the revoked cluster refuses");
    assert.equal(afterRevoke["test-2"].code, 0, afterRevoke["test-2"].stderr);

    // The audit names the cluster each request went to, with that cluster's grant.
    for (const [cluster, grant] of [
      ["test", first.grant.id],
      ["test-2", second.grant.id],
    ] as const) {
      const record = await waitForRecord(stack.redis, { cluster, verb: "watch", resource: "pods" });
      assert.equal(record.grant, grant);
    }
  });
});
