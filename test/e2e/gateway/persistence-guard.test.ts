import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { waitForRecord } from "../../support/audit-log.ts";
import { bearer } from "../../support/login.ts";
import { type Stack, startStack } from "../../support/stack.ts";

/**
 * Nothing made during a grant outlives it, with real kubectl through the gateway: tokens are
 * cut to the grant, token Secrets and bindings to outsiders are refused (also by patch and
 * server-side apply), ordinary objects pass, audit mode records, and a role's clean-up list
 * goes with the grant.
 */
describe("the persistence guard", () => {
  let stack: Stack;
  let kubectl: KubectlSandbox;
  let session: string;
  before(async () => {
    stack = await startStack({
      config: () => ({
        roles: [
          { name: "view", clusterRole: "view", maxTtl: "8h" },
          { name: "edit", clusterRole: "edit", maxTtl: "4h" },
          { name: "admin", clusterRole: "admin", maxTtl: "1h" },
          { name: "delegator", clusterRole: "admin", maxTtl: "1h", guard: { delegation: "managed" } },
          { name: "audited", clusterRole: "admin", maxTtl: "1h", guard: { mode: "audit" } },
          { name: "csr-maker", clusterRole: "system:node-bootstrapper", scope: "cluster", maxTtl: "1h" },
          {
            name: "tidy",
            clusterRole: "edit",
            maxTtl: "1h",
            cleanup: ["configmaps", "secrets", "rolebindings.rbac.authorization.k8s.io"],
          },
        ],
        policies: {
          standing: [
            {
              subjects: { groups: ["developers"] },
              roles: ["view", "edit", "admin", "delegator", "audited", "tidy", "csr-maker"],
              namespaces: ["team-*"],
            },
          ],
        },
      }),
    });
    kubectl = await kubectlSandbox();
    session = await stack.login("dev");
  });
  after(async () => {
    await kubectl?.cleanup();
    await stack?.close();
  });

  const contextFor = async (role: string, namespace: string, ttl = "1h") => {
    const { token, grant } = await stack.credential(session, { role, namespace, ttl });
    return { kubeconfig: await stack.gatewayKubeconfig(`${role}-${namespace}`, token, namespace), grant };
  };
  const claimsOf = (token: string) =>
    JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { exp: number };
  const refusedByGuard = /kube-broker's persistence guard refused this: /;

  it("cuts kubectl create token --duration=8760h to the grant's end, and records it", async () => {
    const { kubeconfig, grant } = await contextFor("edit", "team-a");
    const made = await kubectl.run(kubeconfig, ["create", "token", "default", "--duration=8760h"]);
    assert.equal(made.code, 0, made.stderr);
    const exp = claimsOf(made.stdout.trim()).exp * 1000;
    assert.ok(exp <= Date.parse(grant.expiresAt) + 5000, "the token ends with the grant, not in a year");
    const record = await waitForRecord(stack.redis, { subresource: "token", grant: grant.id });
    assert.match(
      record.detail,
      /persistence guard: the token's expirationSeconds lowered from 31536000 to \d+: grant \w+ ends at /,
    );
  });

  it("refuses a token when less than ten minutes of the grant remain", async () => {
    const { kubeconfig } = await contextFor("edit", "team-b", "9m");
    const made = await kubectl.run(kubeconfig, ["create", "token", "default"]);
    assert.notEqual(made.code, 0);
    assert.match(made.stderr, refusedByGuard);
    assert.match(made.stderr, /a ServiceAccount token lives at least 600 s and would outlive it/);
  });

  it("refuses ServiceAccount token Secrets, by apply (JSON) and by create (protobuf); ordinary objects pass", async () => {
    const { kubeconfig } = await contextFor("edit", "team-a");
    const manifest = join(kubectl.dir, "token-secret.json");
    await writeFile(
      manifest,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "forever", annotations: { "kubernetes.io/service-account.name": "default" } },
        type: "kubernetes.io/service-account-token",
      }),
    );
    for (const args of [
      ["apply", "-f", manifest],
      ["create", "secret", "generic", "forever2", "--type=kubernetes.io/service-account-token"],
    ]) {
      const refused = await kubectl.run(kubeconfig, args);
      assert.notEqual(refused.code, 0, args.join(" "));
      assert.match(
        refused.stderr,
        /Secrets of type kubernetes.io\/service-account-token hold a token that never expires/,
      );
    }
    assert.equal(stack.standIn.store.find("secrets", { namespace: "team-a", name: "forever" }), undefined);
    for (const args of [
      ["create", "secret", "generic", "plain", "--from-literal=a=b"],
      ["create", "configmap", "settings", "--from-literal=a=b"],
    ]) {
      const made = await kubectl.run(kubeconfig, args);
      assert.equal(made.code, 0, `${args.join(" ")}: ${made.stderr}`);
    }
  });

  it("refuses a binding to someone outside kube-broker, by create, patch and server-side apply", async () => {
    const { kubeconfig } = await contextFor("admin", "team-a");
    const created = await kubectl.run(kubeconfig, [
      "create",
      "rolebinding",
      "to-alice",
      "--clusterrole=view",
      "--user=alice",
    ]);
    assert.notEqual(created.code, 0);
    assert.match(created.stderr, /a binding would give User "alice" a role that outlives your grant/);

    // A binding that exists (made by the cluster's admin) cannot be widened either.
    stack.standIn.store.create({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "existing", namespace: "team-a" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [{ kind: "ServiceAccount", name: "default", namespace: "team-a" }],
    });
    const addAlice =
      '[{"op":"add","path":"/subjects/-","value":{"kind":"User","name":"alice","apiGroup":"rbac.authorization.k8s.io"}}]';
    for (const [type, patch] of [
      ["json", addAlice],
      ["merge", '{"subjects":[{"kind":"User","name":"alice","apiGroup":"rbac.authorization.k8s.io"}]}'],
      [
        "strategic",
        '{"subjects":[{"kind":"Group","name":"everyone","apiGroup":"rbac.authorization.k8s.io"}]}',
      ],
    ] as const) {
      const patched = await kubectl.run(kubeconfig, [
        "patch",
        "rolebinding",
        "existing",
        `--type=${type}`,
        "-p",
        patch,
      ]);
      assert.notEqual(patched.code, 0, `patch --type=${type}`);
      assert.match(
        patched.stderr,
        /a binding would give (User "alice"|Group "everyone") a role that outlives your grant/,
      );
    }
    const applied = join(kubectl.dir, "binding.yaml");
    await writeFile(
      applied,
      [
        "apiVersion: rbac.authorization.k8s.io/v1",
        "kind: RoleBinding",
        "metadata: { name: applied, namespace: team-a }",
        "roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit }",
        "subjects: [{ kind: User, name: bob, apiGroup: rbac.authorization.k8s.io }]",
        "",
      ].join("\n"),
    );
    const ssa = await kubectl.run(kubeconfig, ["apply", "--server-side", "-f", applied]);
    assert.notEqual(ssa.code, 0);
    assert.match(ssa.stderr, /a binding would give User "bob" a role/);
    const subjects = stack.standIn.store.get("rolebindings", {
      namespace: "team-a",
      name: "existing",
    }).subjects;
    assert.deepEqual(
      subjects,
      [{ kind: "ServiceAccount", name: "default", namespace: "team-a" }],
      "unchanged",
    );
  });

  it("lets a delegating role bind kube-broker's own ServiceAccounts, which end with their grants", async () => {
    const other = await contextFor("view", "team-b");
    const [namespace, name] = other.grant.serviceAccount.split("/") as [string, string];
    const { kubeconfig } = await contextFor("delegator", "team-b");
    const made = await kubectl.run(kubeconfig, [
      "create",
      "rolebinding",
      "to-a-grant",
      "--clusterrole=view",
      `--serviceaccount=${namespace}:${name}`,
    ]);
    assert.equal(made.code, 0, made.stderr);
    const outside = await kubectl.run(kubeconfig, [
      "create",
      "rolebinding",
      "to-carol",
      "--clusterrole=view",
      "--user=carol",
    ]);
    assert.match(outside.stderr, /this role may bind only kube-broker's own ServiceAccounts/);
  });

  it("in audit mode lets it through and records what it would have refused", async () => {
    const { kubeconfig, grant } = await contextFor("audited", "team-b");
    const made = await kubectl.run(kubeconfig, [
      "create",
      "rolebinding",
      "audited",
      "--clusterrole=view",
      "--user=dave",
    ]);
    assert.equal(made.code, 0, made.stderr);
    const record = await waitForRecord(stack.redis, {
      resource: "rolebindings",
      grant: grant.id,
      verb: "create",
    });
    assert.match(
      record.detail,
      /persistence guard \(audit mode\) would have refused this: a binding would give User "dave"/,
    );
  });

  it("deletes what a grant created of its role's clean-up kinds within 2 s of its end, and shows it first", async () => {
    const { kubeconfig, grant } = await contextFor("tidy", "team-a");
    for (const args of [
      ["create", "configmap", "scratch", "--from-literal=a=b"],
      ["create", "secret", "generic", "scratch-secret", "--from-literal=a=b"],
    ]) {
      const made = await kubectl.run(kubeconfig, args);
      assert.equal(made.code, 0, made.stderr);
    }
    await waitForRecord(stack.redis, { resource: "secrets", verb: "create", grant: grant.id });
    const objects = await fetch(`${stack.url}/v1/grants/${grant.id}/objects`, { headers: bearer(session) });
    const { items } = (await objects.json()) as { items: { resource: string; name: string }[] };
    assert.deepEqual(items.map((o) => `${o.resource}/${o.name}`).sort(), [
      "configmaps/scratch",
      "secrets/scratch-secret",
    ]);
    const revoked = await fetch(`${stack.url}/v1/grants/${grant.id}`, {
      method: "DELETE",
      headers: bearer(session),
    });
    assert.equal(revoked.status, 200);
    const deadline = Date.now() + 2000;
    const left = () =>
      [
        stack.standIn.store.find("configmaps", { namespace: "team-a", name: "scratch" }),
        stack.standIn.store.find("secrets", { namespace: "team-a", name: "scratch-secret" }),
      ].filter(Boolean).length;
    while (left() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(left(), 0, "both gone within 2 s of the grant's end");
  });

  it("refuses client certificates: a request for the kube-apiserver-client signer, and approving one", async () => {
    const { token } = await stack.credential(session, { role: "csr-maker" });
    const kubeconfig = await stack.gatewayKubeconfig("csr-maker", token);
    const { stdout: pem } = await promisify(execFile)("openssl", [
      ...["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
      ...["-keyout", "/dev/null", "-subj", "/CN=dev-forever"],
    ]);
    const csr = (name: string, signerName: string) =>
      JSON.stringify({
        apiVersion: "certificates.k8s.io/v1",
        kind: "CertificateSigningRequest",
        metadata: { name },
        spec: { request: Buffer.from(pem).toString("base64"), signerName, usages: ["client auth"] },
      });
    const file = join(kubectl.dir, "csr.json");
    await writeFile(file, csr("forever", "kubernetes.io/kube-apiserver-client"));
    const refused = await kubectl.run(kubeconfig, ["create", "-f", file]);
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /client certificates \(signer kubernetes.io\/kube-apiserver-client\) are credentials that outlive a grant/,
    );
    assert.equal(stack.standIn.store.find("certificatesigningrequests", { name: "forever" }), undefined);

    await writeFile(file, csr("kubelet-ish", "kubernetes.io/kube-apiserver-client-kubelet"));
    const other = await kubectl.run(kubeconfig, ["create", "-f", file]);
    assert.equal(other.code, 0, `another signer passes the guard: ${other.stderr}`);

    // One made by the cluster's admin may not be approved through a grant either.
    await writeFile(file, csr("by-admin", "kubernetes.io/kube-apiserver-client"));
    const byAdmin = await kubectl.run(stack.adminKubeconfig, ["create", "-f", file]);
    assert.equal(byAdmin.code, 0, byAdmin.stderr);
    const approve = await kubectl.run(kubeconfig, ["certificate", "approve", "by-admin"]);
    assert.notEqual(approve.code, 0);
    assert.match(approve.stderr, /persistence guard refused this: client certificates/);
  });
});
