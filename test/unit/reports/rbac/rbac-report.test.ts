import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rbacReport } from "../../../../src/reports/rbac/rbac-report.ts";
import type { KubeObject } from "../../../../tools/stand-in/objects.ts";
import {
  clusterBinding,
  countChecks,
  DEFAULTS,
  MANAGED,
  RISKY,
  RISKY_CHECKS,
  RISKY_SETUP,
  roleBinding,
  snapshotOf,
} from "../../../support/fakes/rbac-fixtures.ts";

const NOW = Date.parse("2026-01-01T00:00:00Z");
const report = (objects: KubeObject[], options: { secrets?: boolean; open?: string[] } = {}) =>
  rbacReport({
    cluster: "test",
    snapshot: snapshotOf(objects, options),
    openGrants: new Set(options.open ?? []),
    now: NOW,
  });
const counts = countChecks;

/** kube-broker's own RBAC as deploy/ renders it (labelled part-of), and an open grant's objects. */
const KUBE_BROKER: KubeObject[] = [
  clusterBinding(
    "kube-broker",
    "kube-broker",
    [{ kind: "ServiceAccount", namespace: "kube-broker", name: "kube-broker" }],
    {
      "app.kubernetes.io/part-of": "kube-broker",
    },
  ),
  {
    kind: "ClusterRole",
    metadata: { name: "kube-broker", labels: { "app.kubernetes.io/part-of": "kube-broker" } },
    rules: [
      {
        verbs: ["bind", "get"],
        apiGroups: ["rbac.authorization.k8s.io"],
        resources: ["clusterroles"],
        resourceNames: ["view", "edit", "admin"],
      },
    ],
  },
  { kind: "ServiceAccount", metadata: { namespace: "kube-broker", name: "kube-broker" } },
  {
    kind: "ServiceAccount",
    metadata: { namespace: "kube-broker-grants", name: "kb-dev-g1", labels: MANAGED("g1") },
  },
  clusterBinding(
    "kb-dev-g1",
    "cluster-admin",
    [{ kind: "ServiceAccount", namespace: "kube-broker-grants", name: "kb-dev-g1" }],
    MANAGED("g1"),
  ),
];

describe("the RBAC report's findings", () => {
  it("finds every listed risk in the risky fixtures, each with subject, scope, binding and fix", () => {
    const { findings, summary, skipped } = report([...DEFAULTS, ...RISKY_SETUP, ...RISKY]);
    assert.deepEqual(counts(findings), RISKY_CHECKS);
    assert.deepEqual(skipped, []);
    assert.equal(summary.critical + summary.high + summary.medium + summary.drift, findings.length);
    for (const f of findings) {
      assert.ok(f.subject && f.scope && f.what && f.via && f.fix, JSON.stringify(f));
    }
    const find = (check: string, subject: string) =>
      findings.find((f) => f.check === check && f.subject === subject);
    assert.deepEqual(find("cluster-admin", "ServiceAccount ci/deployer"), {
      severity: "critical",
      check: "cluster-admin",
      subject: "ServiceAccount ci/deployer",
      scope: "cluster-wide",
      what: "cluster-admin: everything",
      via: "ClusterRoleBinding/ci-admin",
      role: "ClusterRole/cluster-admin",
      rule: { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
      fix: find("cluster-admin", "ServiceAccount ci/deployer")!.fix,
    });
    assert.equal(find("cluster-admin", "ServiceAccount team-a/tool")?.scope, "team-a");
    assert.equal(
      find("everyone-bound", "Group system:authenticated")?.via,
      "ClusterRoleBinding/everyone-views",
    );
    assert.equal(find("everyone-bound", "User system:anonymous")?.scope, "team-b");
    const exec = find("exec-attach-node-proxy", "Group developers")!;
    assert.equal(exec.severity, "high");
    assert.equal(exec.via, "RoleBinding team-a/developers-edit");
    assert.equal(exec.role, "ClusterRole/edit", "edit's rules come from its aggregated parts");
    assert.match(exec.what, /pods\/exec/);
    assert.equal(find("kube-system-workloads", "ServiceAccount ci/deployer")?.scope, "kube-system");
    assert.deepEqual(find("wildcard", "ServiceAccount team-a/tool")?.rule, {
      verbs: ["*"],
      apiGroups: [""],
      resources: ["configmaps"],
    });
    assert.match(find("dangling-subject", "ServiceAccount team-a/ghost")!.what, /does not exist/);
    assert.match(
      find("legacy-token", "ServiceAccount team-a/tool")!.what,
      /long-lived token Secret, 731d old, last used 2025-01-02/,
    );
    assert.equal(find("legacy-token", "ServiceAccount team-a/tool")!.via, "Secret team-a/tool-token");
    assert.equal(find("direct-binding", "User alice@example.com")?.severity, "drift");
    const orphans = findings.filter((f) => f.check === "orphaned-grant-object").map((f) => f.via);
    assert.deepEqual(orphans.sort(), [
      "RoleBinding team-a/kb-gone-g0ne",
      "ServiceAccount kube-broker-grants/kb-gone-g0ne",
    ]);
    assert.deepEqual(
      findings.map((f) => f.severity),
      [...findings.map((f) => f.severity)].sort(
        (a, b) =>
          ["critical", "high", "medium", "drift"].indexOf(a) -
          ["critical", "high", "medium", "drift"].indexOf(b),
      ),
      "most severe first",
    );
  });

  it("finds nothing in a fresh cluster with kube-broker's own objects, and lists the defaults it left out", () => {
    const clean = report([...DEFAULTS, ...KUBE_BROKER], { open: ["g1"] });
    assert.deepEqual(clean.findings, []);
    assert.deepEqual(clean.summary, { critical: 0, high: 0, medium: 0, drift: 0 });
    assert.deepEqual(
      clean.excluded.map((e) => [e.binding, e.reason]),
      [
        ["ClusterRoleBinding/cluster-admin", "a default of the API server's bootstrap policy"],
        ["ClusterRoleBinding/system:discovery", "a default of the API server's bootstrap policy"],
        ["ClusterRoleBinding/system:basic-user", "a default of the API server's bootstrap policy"],
        ["ClusterRoleBinding/system:public-info-viewer", "a default of the API server's bootstrap policy"],
        [
          "ClusterRoleBinding/system:service-account-issuer-discovery",
          "a default of the API server's bootstrap policy",
        ],
        ["ClusterRoleBinding/kube-broker", "kube-broker's own permissions (deploy/)"],
      ],
    );
  });

  it("reports a grant's objects once the grant is no longer open", () => {
    const ended = report([...DEFAULTS, ...KUBE_BROKER]);
    assert.deepEqual(counts(ended.findings), { "orphaned-grant-object": 2 });
  });

  it("treats a default binding that gained a subject as a finding like any other", () => {
    const widened = report([
      ...DEFAULTS.filter((o) => o.metadata.name !== "cluster-admin" || o.kind !== "ClusterRoleBinding"),
      clusterBinding("cluster-admin", "cluster-admin", [
        { kind: "Group", name: "system:masters" },
        { kind: "User", name: "mallory@example.com" },
      ]),
      clusterBinding("system:basic-user", "cluster-admin", [{ kind: "Group", name: "system:authenticated" }]),
    ]);
    assert.deepEqual(
      widened.findings.map((f) => [f.severity, f.check, f.subject]),
      [
        ["critical", "everyone-bound", "Group system:authenticated"],
        ["critical", "cluster-admin", "Group system:masters"],
        ["critical", "cluster-admin", "User mallory@example.com"],
        ["drift", "direct-binding", "User mallory@example.com"],
      ],
    );
  });

  it("says the legacy-token check was skipped, and why, when Secrets may not be listed", () => {
    const { findings, skipped } = report([...DEFAULTS, ...RISKY_SETUP, ...RISKY], { secrets: false });
    assert.equal(findings.filter((f) => f.check === "legacy-token").length, 0);
    assert.deepEqual(skipped, [{ check: "legacy-token", reason: "the broker may not list Secrets" }]);
  });

  it("keeps the kubeadm defaults out, anonymous cluster-info reader included", () => {
    const kubeadm = report([
      ...DEFAULTS,
      roleBinding(
        "kube-public",
        "kubeadm:bootstrap-signer-clusterinfo",
        { kind: "Role", name: "kubeadm:bootstrap-signer-clusterinfo" },
        [{ kind: "User", name: "system:anonymous" }],
      ),
      clusterBinding("system:controller:deployment-controller", "system:controller:deployment-controller", [
        { kind: "ServiceAccount", namespace: "kube-system", name: "deployment-controller" },
      ]),
    ]);
    assert.deepEqual(kubeadm.findings, []);
  });
});
