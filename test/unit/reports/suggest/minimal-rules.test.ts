import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ruleAllows } from "../../../../src/reports/rbac/index.ts";
import {
  MAX_RESOURCE_NAMES,
  minimalRules,
  type ObservedUse,
} from "../../../../src/reports/suggest/minimal-rules.ts";
import { roleManifests } from "../../../../src/reports/suggest/role-manifests.ts";

const use = (verb: string, resource: string, more: Partial<ObservedUse> = {}): ObservedUse => ({
  verb,
  apiGroup: "",
  resource,
  subresource: "",
  count: 1,
  denied: 0,
  names: [],
  ...more,
});

describe("minimalRules", () => {
  it("merges verbs per resource, then resources with the same verbs, as observed", () => {
    const { rules, leftOut } = minimalRules([
      use("list", "pods"),
      use("watch", "pods"),
      use("list", "configmaps"),
      use("watch", "configmaps"),
      use("create", "configmaps"),
      use("list", "deployments", { apiGroup: "apps" }),
    ]);
    assert.deepEqual(leftOut, []);
    assert.deepEqual(rules, [
      { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "list", "watch"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"] },
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ["list"] },
    ]);
  });

  it("limits named verbs and subresources to the few names used, never list, watch or create", () => {
    const { rules } = minimalRules([
      use("get", "pods", { names: ["web-1"] }),
      use("get", "pods", { subresource: "log", names: ["web-1"] }),
      use("list", "pods", { names: ["web-1"] }),
      use("create", "configmaps", { names: [] }),
      use("get", "configmaps", { names: ["a", "b"] }),
    ]);
    assert.deepEqual(rules, [
      { apiGroups: [""], resources: ["configmaps"], verbs: ["create"] },
      { apiGroups: [""], resources: ["configmaps"], resourceNames: ["a", "b"], verbs: ["get"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
      { apiGroups: [""], resources: ["pods", "pods/log"], resourceNames: ["web-1"], verbs: ["get"] },
    ]);
  });

  it("drops the names past a few, or when the aggregates kept many", () => {
    const many = Array.from({ length: MAX_RESOURCE_NAMES + 1 }, (_, i) => `cm-${i}`);
    const split = minimalRules([
      use("get", "configmaps", { names: many.slice(0, 3) }),
      use("get", "configmaps", { names: many.slice(3) }),
    ]);
    assert.deepEqual(split.rules, [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }]);
    const kept = minimalRules([use("get", "secrets", { names: "many" })]);
    assert.deepEqual(kept.rules, [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]);
  });

  it("gives exec sessions get and create on pods/exec, as a WebSocket exec needs since 1.35", () => {
    const { rules } = minimalRules([use("exec", "pods", { subresource: "exec", names: ["web-1"] })]);
    assert.deepEqual(rules, [
      { apiGroups: [""], resources: ["pods/exec"], resourceNames: ["web-1"], verbs: ["create", "get"] },
    ]);
    assert.ok(ruleAllows(rules[0]!, { verb: "create", apiGroup: "", resource: "pods/exec", name: "web-1" }));
  });

  it("leaves out non-resource requests and uses refused every time, saying why", () => {
    const { rules, leftOut } = minimalRules([
      use("get", ""),
      use("list", "secrets", { count: 2, denied: 2 }),
      use("list", "pods", { count: 2, denied: 1 }),
    ]);
    assert.deepEqual(rules, [{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }]);
    assert.deepEqual(
      leftOut.map((l) => [l.verb, l.resource]),
      [
        ["get", ""],
        ["list", "secrets"],
      ],
    );
    assert.match(leftOut[1]!.reason, /refused each time/);
  });

  it("does not leave out what was refused in one place and used in another", () => {
    const { rules, leftOut } = minimalRules([
      use("get", "configmaps", { denied: 1, names: ["x"] }),
      use("get", "configmaps", { names: ["x"] }),
    ]);
    assert.equal(rules.length, 1);
    assert.deepEqual(leftOut, []);
  });

  it("drops needs that covering rules allow already", () => {
    const covered = [{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }];
    const { rules } = minimalRules([use("list", "pods"), use("get", "pods", { names: ["a"] })], covered);
    assert.deepEqual(rules, [{ apiGroups: [""], resources: ["pods"], resourceNames: ["a"], verbs: ["get"] }]);
  });
});

describe("roleManifests", () => {
  const base = {
    name: "suggested-dev",
    rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }],
    clusterRules: [],
    bindTo: { kind: "ServiceAccount" as const, namespace: "team-a", name: "ci" },
    origin: 'user "dev"',
  };
  const kinds = (items: object[]) =>
    items.map((i) => {
      const { kind, metadata } = i as { kind: string; metadata: { name: string; namespace?: string } };
      return `${kind}/${metadata.namespace ?? ""}/${metadata.name}`;
    });

  it("writes a Role and its RoleBinding for one namespace", () => {
    const items = roleManifests({ ...base, namespaces: ["team-a"] });
    assert.deepEqual(kinds(items), ["Role/team-a/suggested-dev", "RoleBinding/team-a/suggested-dev"]);
    assert.deepEqual((items[1] as { subjects: object[] }).subjects, [
      { kind: "ServiceAccount", namespace: "team-a", name: "ci" },
    ]);
  });

  it("writes a ClusterRole bound per namespace, and cluster-wide use in a ClusterRole of its own", () => {
    const clusterRules = [{ apiGroups: [""], resources: ["namespaces"], verbs: ["list"] }];
    const items = roleManifests({ ...base, namespaces: ["team-a", "team-b"], clusterRules });
    assert.deepEqual(kinds(items), [
      "ClusterRole//suggested-dev",
      "RoleBinding/team-a/suggested-dev",
      "RoleBinding/team-b/suggested-dev",
      "ClusterRole//suggested-dev-cluster",
      "ClusterRoleBinding//suggested-dev-cluster",
    ]);
  });
});
