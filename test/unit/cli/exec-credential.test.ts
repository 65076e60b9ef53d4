import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { execCredential, readExecInfo } from "../../../src/cli/exec-credential.ts";

const V1 = "client.authentication.k8s.io/v1";
const V1BETA1 = "client.authentication.k8s.io/v1beta1";

describe("ExecCredential", () => {
  it("reads KUBERNETES_EXEC_INFO: the apiVersion to answer in, interactive, the cluster's CA", () => {
    const info = readExecInfo(
      JSON.stringify({
        apiVersion: V1BETA1,
        kind: "ExecCredential",
        spec: { interactive: false, cluster: { server: "https://x", "certificate-authority-data": "Q0E=" } },
      }),
    );
    assert.deepEqual(info, { apiVersion: V1BETA1, interactive: false, caData: "Q0E=" });
  });

  it("run by hand (no KUBERNETES_EXEC_INFO): v1, and interactivity left to the terminal", () => {
    assert.deepEqual(readExecInfo(undefined), { apiVersion: V1, interactive: undefined, caData: undefined });
  });

  it("refuses what it cannot answer, in one line", () => {
    assert.throws(() => readExecInfo("{"), /KUBERNETES_EXEC_INFO is not JSON/);
    assert.throws(
      () => readExecInfo(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1alpha1" })),
      /asked for ExecCredential client\.authentication\.k8s\.io\/v1alpha1; set the kubeconfig's exec apiVersion to .*v1 or .*v1beta1/,
    );
  });

  it("prints exactly the ExecCredential, in the version asked for", () => {
    for (const apiVersion of [V1, V1BETA1] as const) {
      const text = execCredential(apiVersion, "tok", "2026-01-01T00:10:00.000Z");
      assert.ok(text.endsWith("}\n") && text.split("\n").length === 2);
      assert.deepEqual(JSON.parse(text), {
        apiVersion,
        kind: "ExecCredential",
        status: { token: "tok", expirationTimestamp: "2026-01-01T00:10:00.000Z" },
      });
    }
  });
});
