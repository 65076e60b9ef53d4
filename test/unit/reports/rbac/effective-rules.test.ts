import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CLUSTER_WIDE,
  clusterRoleRules,
  heldRules,
  ruleAllows,
  rulesOfSubject,
} from "../../../../src/reports/rbac/effective-rules.ts";
import type { ClusterRole } from "../../../../src/reports/rbac/rbac-reader.ts";
import { DEFAULTS, RISKY, RISKY_SETUP, snapshotOf } from "../../../support/fakes/rbac-fixtures.ts";

describe("effective rules", () => {
  const { clusterRoles } = snapshotOf(DEFAULTS);

  it("resolves aggregated ClusterRoles through every level: admin holds edit's and view's rules", () => {
    const admin = clusterRoleRules("admin", clusterRoles)!;
    const edit = clusterRoleRules("edit", clusterRoles)!;
    const view = clusterRoleRules("view", clusterRoles)!;
    assert.ok(view.length > 0 && edit.length > view.length && admin.length > edit.length);
    for (const rule of view) assert.ok(edit.some((r) => JSON.stringify(r) === JSON.stringify(rule)));
    const can = (rules: typeof admin, verb: string, resource: string, apiGroup = "") =>
      rules.some((r) => ruleAllows(r, { verb, apiGroup, resource }));
    assert.equal(can(view, "get", "pods"), true);
    assert.equal(can(view, "get", "secrets"), false);
    assert.equal(can(edit, "create", "pods/exec"), true);
    assert.equal(can(admin, "create", "rolebindings", "rbac.authorization.k8s.io"), true);
    assert.equal(clusterRoleRules("no-such-role", clusterRoles), undefined);
  });

  it("matches selectors with matchExpressions, and survives a cycle of aggregated roles", () => {
    const roles: ClusterRole[] = [
      {
        metadata: { name: "a", labels: { tier: "x" } },
        rules: [],
        aggregationRule: {
          clusterRoleSelectors: [{ matchExpressions: [{ key: "tier", operator: "In", values: ["y"] }] }],
        },
      },
      {
        metadata: { name: "b", labels: { tier: "y" } },
        rules: [],
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { tier: "x" } }] },
      },
      {
        metadata: { name: "c", labels: { tier: "y" } },
        rules: [{ verbs: ["get"], resources: ["pods"], apiGroups: [""] }],
      },
    ];
    assert.deepEqual(clusterRoleRules("a", roles), [
      { verbs: ["get"], resources: ["pods"], apiGroups: [""] },
    ]);
  });

  it("matches rules as the RBAC authorizer does: wildcards, */subresource, resourceNames", () => {
    const rule = (resources: string[], resourceNames?: string[]) => ({
      verbs: ["get"],
      apiGroups: [""],
      resources,
      ...(resourceNames ? { resourceNames } : {}),
    });
    assert.equal(ruleAllows(rule(["*/exec"]), { verb: "get", apiGroup: "", resource: "pods/exec" }), true);
    assert.equal(ruleAllows(rule(["pods"]), { verb: "get", apiGroup: "", resource: "pods/exec" }), false);
    assert.equal(ruleAllows(rule(["*"]), { verb: "get", apiGroup: "", resource: "pods/log" }), true);
    assert.equal(ruleAllows(rule(["pods"]), { verb: "list", apiGroup: "", resource: "pods" }), false);
    assert.equal(ruleAllows(rule(["pods"]), { verb: "get", apiGroup: "apps", resource: "pods" }), false);
    assert.equal(ruleAllows(rule(["pods"], ["web"]), { verb: "get", apiGroup: "", resource: "pods" }), false);
    assert.equal(
      ruleAllows(rule(["pods"], ["web"]), { verb: "get", apiGroup: "", resource: "pods", name: "web" }),
      true,
    );
  });

  it("gives each subject its rules per namespace scope, and cluster-wide", () => {
    const held = heldRules(snapshotOf([...DEFAULTS, ...RISKY_SETUP, ...RISKY]));
    const deployer = rulesOfSubject(held, { kind: "ServiceAccount", namespace: "ci", name: "deployer" });
    assert.deepEqual([...deployer.keys()].sort(), [CLUSTER_WIDE, "kube-system"]);
    assert.deepEqual(deployer.get("kube-system"), [
      { verbs: ["create", "get"], apiGroups: ["apps"], resources: ["deployments"] },
    ]);
    const tool = rulesOfSubject(held, { kind: "ServiceAccount", namespace: "team-a", name: "tool" });
    assert.deepEqual([...tool.keys()].sort(), ["team-a", "team-b"]);
  });
});
