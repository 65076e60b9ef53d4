import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type AdminKubectl, startAdminKubectl } from "./admin-kubectl.ts";

describe("kubectl explain against the stand-in's OpenAPI v3", () => {
  let admin: AdminKubectl;
  before(async () => {
    admin = await startAdminKubectl();
  });
  after(() => admin.close());

  it("explains a nested field with its type, description and fields", async () => {
    const result = await admin.run(["explain", "pods.spec.containers"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /KIND:\s+Pod\nVERSION:\s+v1/);
    assert.match(result.stdout, /FIELD: containers <\[\]Container>/);
    assert.match(result.stdout, /List of containers belonging to the pod/);
    assert.match(result.stdout, /\n {2}image\t<string>\n {4}Container image name/);
    assert.match(result.stdout, /\n {2}name\t<string> -required-\n/);
  });

  for (const [resource, kind, text] of [
    ["deployments.spec.template.spec", "Deployment", /FIELD: spec <PodSpec>/],
    ["configmaps", "ConfigMap", /\n {2}data\t<map\[string\]string>/],
    ["services.spec.ports", "Service", /\n {2}port\t<integer> -required-/],
    ["namespaces", "Namespace", /Namespace provides a scope for Names/],
    ["serviceaccounts", "ServiceAccount", /\n {2}automountServiceAccountToken\t<boolean>/],
  ] as const) {
    it(`explains ${resource}`, async () => {
      const result = await admin.run(["explain", resource]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`KIND:\\s+${kind}\\n`));
      assert.match(result.stdout, text);
    });
  }

  it("finds every served kind, if only by its metadata", async () => {
    const result = await admin.run(["explain", "clusterroles.metadata.labels"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /FIELD: labels <map\[string\]string>/);
  });
});
