import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { type Stack, startStack } from "../../support/stack.ts";

describe("gateway smoke", () => {
  let stack: Stack;
  let kubectl: KubectlSandbox;
  before(async () => {
    stack = await startStack({ logs: !!process.env.LOG_LEVEL });
    kubectl = await kubectlSandbox();
  });
  after(async () => {
    await kubectl?.cleanup();
    await stack?.close();
  });

  it("kubectl get pods through the gateway", async () => {
    const session = await stack.login("dev");
    const { token } = await stack.credential(session, { role: "view", namespace: "team-a" });
    const kubeconfig = await stack.gatewayKubeconfig("dev", token, "team-a");
    const result = await kubectl.run(kubeconfig, ["get", "pods"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /web-/);
  });
});
