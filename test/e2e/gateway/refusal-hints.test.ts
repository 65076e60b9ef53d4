import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { type Stack, startStack } from "../../support/stack.ts";

/**
 * A refusal by the cluster, as kubectl shows it through the gateway: the cluster's own words
 * (which name only the grant's ServiceAccount), then what the person holds and what to run.
 */
describe("the cluster's refusals, with what to do next", () => {
  let stack: Stack;
  let kubectl: KubectlSandbox;
  let kubeconfig: string;
  let grantId: string;
  before(async () => {
    stack = await startStack();
    kubectl = await kubectlSandbox();
    const session = await stack.login("dev");
    const { token, grant } = await stack.credential(session, { role: "view", namespace: "team-a" });
    grantId = grant.id;
    kubeconfig = await stack.gatewayKubeconfig("viewer", token, "team-a");
  });
  after(async () => {
    await kubectl?.cleanup();
    await stack?.close();
  });

  it("a write with a read-only role names the role held and the request that would allow it", async () => {
    const result = await kubectl.run(kubeconfig, ["create", "configmap", "nope", "--from-literal=a=1"]);
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /configmaps is forbidden: User "system:serviceaccount:kube-broker-grants:kb-dev-/,
    );
    assert.match(
      result.stderr,
      new RegExp(
        `through kube-broker you hold role "view" in namespace "team-a" on cluster "test" \\(grant ${grantId}\\); ` +
          `ask for more with: kubectl broker request --cluster test --role edit -n team-a --for 30m --reason "…"`,
      ),
    );
  });

  it("a namespace outside the grant says which namespaces it covers and how to reach the other", async () => {
    const result = await kubectl.run(kubeconfig, ["get", "pods", "-n", "team-b"]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /you hold role "view" in namespace "team-a" on cluster "test"/);
    assert.match(
      result.stderr,
      /without approval: kubectl broker kubeconfig --cluster test --role view -n team-b/,
    );
    const payments = await kubectl.run(kubeconfig, ["get", "pods", "-n", "payments"]);
    assert.match(
      payments.stderr,
      /ask for more with: kubectl broker request --cluster test --role edit -n payments/,
    );
  });

  it("leaves the cluster's other answers alone", async () => {
    const missing = await kubectl.run(kubeconfig, ["get", "pod", "no-such-pod"]);
    assert.match(missing.stderr, /pods "no-such-pod" not found/);
    assert.doesNotMatch(missing.stderr, /kube-broker/);
    const ok = await kubectl.run(kubeconfig, ["get", "pods"]);
    assert.equal(ok.code, 0, ok.stderr);
  });
});
