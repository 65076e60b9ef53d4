import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { readAudit, requestRecords, waitForRecord } from "../../support/audit-log.ts";
import { STANDING_EDIT, type Stack, startStack } from "../../support/stack.ts";

/** Real kubectl through the gateway, each command leaving the audit record a person would look for. */
describe("kubectl through the gateway", () => {
  let stack: Stack;
  let kubectl: KubectlSandbox;
  let kubeconfig: string;

  before(async () => {
    stack = await startStack({ config: STANDING_EDIT });
    kubectl = await kubectlSandbox();
    const session = await stack.login("dev");
    const { token } = await stack.credential(session, { role: "edit", namespace: "team-a" });
    kubeconfig = await stack.gatewayKubeconfig("dev", token, "team-a");
  });
  after(async () => {
    await kubectl?.cleanup();
    await stack?.close();
  });

  it("get pods", async () => {
    const result = await kubectl.run(kubeconfig, ["get", "pods"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /web-1\s+1\/1\s+Running/);
    const record = await waitForRecord(stack.redis, { verb: "list", resource: "pods", namespace: "team-a" });
    assert.equal(record.user, "dev@example.com");
    assert.equal(record.status, "200");
    assert.equal(record.decision, "allowed");
    assert.equal(record.kubectlCommand, "kubectl get");
    assert.ok(record.kubectlSession);
    assert.equal(record.role, "edit");
    assert.match(record.serviceAccount, /^kb-dev-/);
    assert.match(record.userAgent, /^kubectl\//);
  });

  it("get pods -w sees a pod created meanwhile", async () => {
    const watch = kubectl.start(kubeconfig, ["get", "pods", "-w"]);
    try {
      await watch.waitFor("worker-1");
      stack.standIn.store.create({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "late-arrival", namespace: "team-a" },
        spec: { containers: [{ name: "c", image: "busybox" }] },
      });
      await watch.waitFor("late-arrival");
    } finally {
      watch.stop();
    }
    const record = await waitForRecord(stack.redis, { verb: "watch", resource: "pods", namespace: "team-a" });
    assert.equal(record.kubectlCommand, "kubectl get");
    const entries = await readAudit(stack.redis);
    assert.ok(
      entries.some((e) => e.type === "request" && e.phase === "start" && e.id === record.id),
      "a start record too",
    );
  });

  it("logs -f follows new lines", async () => {
    const logs = kubectl.start(kubeconfig, ["logs", "-f", "web-1"]);
    try {
      await new Promise((r) => setTimeout(r, 300));
      stack.standIn.appendPodLog("team-a", "web-1", "a line appended while following");
      await logs.waitFor("a line appended while following");
    } finally {
      logs.stop();
    }
    const record = await waitForRecord(stack.redis, { resource: "pods", subresource: "log", name: "web-1" });
    assert.equal(record.verb, "get");
    assert.equal(record.kubectlCommand, "kubectl logs");
  });

  it("exec -- echo hi", async () => {
    const result = await kubectl.run(kubeconfig, ["exec", "web-1", "--", "echo", "hi"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "hi\n");
    const record = await waitForRecord(stack.redis, { verb: "exec", resource: "pods", name: "web-1" });
    assert.equal(record.subresource, "exec");
    assert.equal(record.status, "101");
    assert.equal(record.kubectlCommand, "kubectl exec");
    assert.match(record.query, /command=echo/);
  });

  it("exec -i -- cat round-trips stdin", async () => {
    const result = await kubectl.run(kubeconfig, ["exec", "-i", "web-1", "--", "cat"], {
      input: "over the wire\n",
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "over the wire\n");
  });

  it("auth whoami shows the grant's ServiceAccount", async () => {
    const result = await kubectl.run(kubeconfig, ["auth", "whoami"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /system:serviceaccount:kube-broker-grants:kb-dev-/);
    const record = await waitForRecord(stack.redis, { resource: "selfsubjectreviews" });
    assert.equal(record.verb, "create");
    assert.equal(record.kubectlCommand, "kubectl auth whoami");
  });

  it("auth can-i answers for the grant's role", async () => {
    const yes = await kubectl.run(kubeconfig, ["auth", "can-i", "create", "configmaps"]);
    assert.equal(yes.stdout.trim(), "yes");
    const no = await kubectl.run(kubeconfig, ["auth", "can-i", "list", "pods", "-n", "team-b"]);
    assert.equal(no.stdout.trim(), "no");
    const record = await waitForRecord(stack.redis, { resource: "selfsubjectaccessreviews" });
    assert.equal(record.kubectlCommand, "kubectl auth can-i");
  });

  it("a cluster refusal passes through and is audited as denied by the cluster", async () => {
    const result = await kubectl.run(kubeconfig, ["get", "pods", "-n", "payments"]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /forbidden/);
    const [record] = await requestRecords(stack.redis, { namespace: "payments", resource: "pods" });
    assert.equal(record?.status, "403");
    assert.equal(record?.decision, "denied-by-cluster");
  });

  it("the token kubectl holds is refused by the API server directly", async () => {
    const direct = await kubectl.run(stack.adminKubeconfig, [
      "get",
      "pods",
      "-n",
      "team-a",
      "--token",
      await tokenOf(kubeconfig),
    ]);
    assert.notEqual(direct.code, 0);
    assert.match(direct.stderr, /Unauthorized|provide credentials/);
  });
});

async function tokenOf(kubeconfig: string): Promise<string> {
  return /token: (\S+)/.exec(await readFile(kubeconfig, "utf8"))![1]!;
}
