import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import { parseConfig } from "../../../src/config/load.ts";
import { type Manifest, render, renderWith, rulesOf } from "./rendered.ts";

interface Container {
  name: string;
  securityContext?: Record<string, unknown>;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  resources?: { requests?: unknown; limits?: unknown };
}
interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Container[];
  initContainers?: Container[];
}

describe("deploy/ (kustomize)", () => {
  let objects: Manifest[];
  before(async () => {
    objects = await render("deploy/");
  });

  it("renders, and every object parses with a kind and a name", () => {
    assert.ok(objects.length >= 14);
    for (const o of objects) {
      assert.ok(o.apiVersion && o.kind && o.metadata?.name, JSON.stringify(o).slice(0, 120));
    }
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of [
      "Namespace",
      "ServiceAccount",
      "ClusterRole",
      "Role",
      "Deployment",
      "Service",
      "PodDisruptionBudget",
      "NetworkPolicy",
      "ConfigMap",
      "StatefulSet",
    ]) {
      assert.ok(kinds.has(kind), `has a ${kind}`);
    }
    assert.ok(objects.some((o) => o.kind === "Namespace" && o.metadata.name === "kube-broker-grants"));
  });

  it("the external-redis overlay renders without the in-cluster Redis and points the broker elsewhere", async () => {
    const overlay = await render("deploy/overlays/external-redis");
    assert.ok(!overlay.some((o) => o.kind === "StatefulSet"));
    assert.match(JSON.stringify(overlay.find((o) => o.kind === "Deployment")), /KUBE_BROKER_REDIS__URL/);
  });

  it("gives the broker no wildcard, no cluster-admin, no escalate or impersonate, and bind only by name", () => {
    const roles = objects.filter((o) => o.kind === "ClusterRole" || o.kind === "Role");
    assert.ok(roles.length >= 2);
    for (const role of roles) {
      for (const rule of rulesOf(role)) {
        const where = `${role.kind}/${role.metadata.name} ${JSON.stringify(rule)}`;
        for (const list of [
          rule.verbs,
          rule.resources,
          rule.apiGroups,
          rule.resourceNames,
          rule.nonResourceURLs,
        ]) {
          assert.ok(!(list ?? []).some((v) => v.includes("*")), `no wildcard: ${where}`);
        }
        assert.ok(
          !rule.verbs.includes("escalate") && !rule.verbs.includes("impersonate"),
          `no escalate/impersonate: ${where}`,
        );
        if (rule.verbs.includes("bind")) {
          assert.ok((rule.resourceNames ?? []).length > 0, `bind only by resourceNames: ${where}`);
        }
      }
    }
    for (const binding of objects.filter((o) => o.kind.endsWith("Binding"))) {
      assert.notEqual((binding.roleRef as { name: string }).name, "cluster-admin");
    }
  });

  it("lets the broker bind exactly the roles its config grants", async () => {
    const config = parseConfig(parse(await readFile("deploy/base/config.yaml", "utf8")));
    const granted = config.roles
      .map((r) => r.clusterRole)
      .filter(Boolean)
      .sort();
    const bindable = objects
      .filter((o) => o.kind === "ClusterRole")
      .flatMap(rulesOf)
      .filter((r) => r.verbs.includes("bind") && r.resources?.includes("clusterroles"))
      .flatMap((r) => r.resourceNames ?? [])
      .sort();
    assert.deepEqual(bindable, granted);
  });

  it("reads what the RBAC report needs, and Secrets only with the opt-in secret-metadata component", async () => {
    const rules = (manifests: Manifest[]) =>
      manifests.filter((o) => o.kind === "ClusterRole" || o.kind === "Role").flatMap(rulesOf);
    const lists = (manifests: Manifest[], resource: string) =>
      rules(manifests).some(
        (r) => r.resources?.includes(resource) && r.verbs.includes("list") && !r.resourceNames,
      );
    for (const resource of [
      "clusterroles",
      "roles",
      "clusterrolebindings",
      "rolebindings",
      "serviceaccounts",
    ])
      assert.ok(lists(objects, resource), `deploy/ lets the broker list ${resource}`);
    assert.ok(
      !rules(objects).some((r) => r.resources?.includes("secrets")),
      "deploy/ alone touches no Secret",
    );

    const withSecrets = await renderWith(["secret-metadata"]);
    const added = withSecrets.filter(
      (o) => !objects.some((b) => b.kind === o.kind && b.metadata.name === o.metadata.name),
    );
    assert.deepEqual(
      added.map((o) => `${o.kind}/${o.metadata.name}`),
      ["ClusterRole/kube-broker-secret-metadata", "ClusterRoleBinding/kube-broker-secret-metadata"],
    );
    assert.deepEqual(rules(added), [{ apiGroups: [""], resources: ["secrets"], verbs: ["list"] }]);
    const binding = added.find((o) => o.kind === "ClusterRoleBinding")!;
    assert.deepEqual(binding.subjects, [
      { kind: "ServiceAccount", name: "kube-broker", namespace: "kube-broker" },
    ]);
  });

  it("runs every container non-root, without privilege escalation, read-only, capabilities dropped, seccomp RuntimeDefault", () => {
    const workloads = objects.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet");
    assert.ok(workloads.length >= 2);
    for (const workload of workloads) {
      const pod = (workload.spec as { template: { spec: PodSpec } }).template.spec;
      for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const sc = { ...pod.securityContext, ...container.securityContext } as Record<string, unknown>;
        const where = `${workload.metadata.name}/${container.name}`;
        assert.equal(sc.runAsNonRoot, true, `${where} runAsNonRoot`);
        assert.equal(sc.allowPrivilegeEscalation, false, `${where} allowPrivilegeEscalation`);
        assert.equal(sc.readOnlyRootFilesystem, true, `${where} readOnlyRootFilesystem`);
        assert.deepEqual((sc.capabilities as { drop: string[] }).drop, ["ALL"], `${where} capabilities`);
        assert.deepEqual(sc.seccompProfile, { type: "RuntimeDefault" }, `${where} seccomp`);
        assert.ok(container.readinessProbe && container.livenessProbe, `${where} probes`);
        assert.ok(container.resources?.requests && container.resources.limits, `${where} resources`);
      }
    }
    const broker = objects.find((o) => o.kind === "Deployment")!;
    assert.equal((broker.spec as { replicas: number }).replicas, 2);
  });

  it("takes secrets from Secrets, never from the ConfigMap", () => {
    const configMap = objects.find((o) => o.kind === "ConfigMap")!;
    const text = JSON.stringify(configMap.data);
    assert.doesNotMatch(text, /secret:|password:|BEGIN .*PRIVATE KEY/i);
    const broker = JSON.stringify(objects.find((o) => o.kind === "Deployment"));
    assert.match(broker, /"secretKeyRef":\{"key":"client-secret","name":"kube-broker-oidc"\}/);
  });
});
