import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { kubeconfigCommand } from "../../../src/console/ui/kubectl-command.ts";

describe("kubeconfigCommand", () => {
  it("names the cluster, the role and each namespace", () => {
    assert.equal(
      kubeconfigCommand({ cluster: "prod", role: "edit", namespaces: ["payments", "team-a"] }),
      "kubectl broker kubeconfig --cluster prod --role edit -n payments -n team-a",
    );
  });

  it("leaves namespace globs out (without -n the rules' namespaces apply)", () => {
    assert.equal(
      kubeconfigCommand({ cluster: "dev", role: "view", namespaces: ["default", "team-*"] }),
      "kubectl broker kubeconfig --cluster dev --role view -n default",
    );
  });

  it("quotes what a shell would split", () => {
    assert.equal(
      kubeconfigCommand({ cluster: "my cluster", role: "it's", namespaces: [] }),
      "kubectl broker kubeconfig --cluster 'my cluster' --role 'it'\\''s'",
    );
  });
});
