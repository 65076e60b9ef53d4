import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decodeJwt } from "jose";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { asAdmin, ensureNamespace, pod } from "./fixtures.ts";

const YEAR = 365 * 24 * 3600;

interface KubernetesClaim {
  serviceaccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
  secret?: { name: string; uid: string };
  node?: { name: string; uid: string };
  warnafter?: number;
}

function claimsOf(token: string) {
  const claims = decodeJwt(token);
  return { ...claims, lifetime: claims.exp! - claims.iat!, k8s: claims["kubernetes.io"] as KubernetesClaim };
}

/** `kubectl create token` sends its TokenRequest as protobuf, like every typed client since 1.31. */
describe("stand-in TokenRequest through real kubectl create token", () => {
  let standIn: StandIn;
  let capped: StandIn;
  let kubectl: KubectlSandbox;
  let admin: string;
  let cappedAdmin: string;
  const run = (args: string[], kubeconfig = admin) => kubectl.run(kubeconfig, args);

  before(async () => {
    [standIn, capped] = await Promise.all([
      startStandIn(),
      startStandIn({ maxTokenExpirationSeconds: 7200 }),
    ]);
    for (const server of [standIn, capped]) {
      ensureNamespace(server, "tr");
      server.store.create({ kind: "ServiceAccount", metadata: { name: "robot", namespace: "tr" } });
      server.store.create(pod("tr", "runner", {}, "robot"));
    }
    kubectl = await kubectlSandbox();
    admin = join(kubectl.dir, "admin.kubeconfig");
    cappedAdmin = join(kubectl.dir, "capped.kubeconfig");
    await standIn.writeKubeconfig(admin);
    await capped.writeKubeconfig(cappedAdmin);
  });
  after(async () => {
    await kubectl.cleanup();
    await Promise.all([standIn.close(), capped.close()]);
  });

  it("--duration=8760h yields a token whose exp is a year away and that authenticates as the ServiceAccount", async () => {
    const created = await run(["create", "token", "robot", "-n", "tr", "--duration=8760h"]);
    assert.equal(created.code, 0, created.stderr);
    const sent = standIn.requests.findLast(
      (r) => r.path === "/api/v1/namespaces/tr/serviceaccounts/robot/token",
    );
    assert.equal(sent?.contentType, "application/vnd.kubernetes.protobuf");
    const token = created.stdout.trim();
    const claims = claimsOf(token);
    assert.equal(claims.lifetime, YEAR);
    assert.ok(claims.exp! * 1000 - Date.now() > (YEAR - 60) * 1000, "exp is a year from now");
    const serviceAccount = standIn.store.get("serviceaccounts", { namespace: "tr", name: "robot" });
    assert.deepEqual(claims.k8s.serviceaccount, { name: "robot", uid: serviceAccount.metadata.uid });
    const asRobot = join(kubectl.dir, "robot.kubeconfig");
    await standIn.writeKubeconfig(asRobot, { token, namespace: "tr", context: "robot" });
    const whoami = await run(["auth", "whoami"], asRobot);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(whoami.stdout, /Username\s+system:serviceaccount:tr:robot\n/);
    assert.match(
      whoami.stdout,
      /Groups\s+\[system:serviceaccounts system:serviceaccounts:tr system:authenticated\]/,
    );
  });

  it("with --service-account-max-token-expiration the year is cut to the cap, and kubectl shows the warning", async () => {
    const created = await run(["create", "token", "robot", "-n", "tr", "--duration=8760h"], cappedAdmin);
    assert.equal(created.code, 0, created.stderr);
    assert.match(
      created.stderr,
      /Warning: requested expiration of 31536000 seconds shortened to 7200 seconds/,
    );
    assert.equal(claimsOf(created.stdout.trim()).lifetime, 7200);
  });

  it("defaults to an hour and refuses less than ten minutes with the API server's 422", async () => {
    const plain = await run(["create", "token", "robot", "-n", "tr"]);
    assert.equal(claimsOf(plain.stdout.trim()).lifetime, 3600);
    const short = await run(["create", "token", "robot", "-n", "tr", "--duration=9m"]);
    assert.notEqual(short.code, 0);
    assert.match(
      short.stderr,
      /TokenRequest\.authentication\.k8s\.io "" is invalid: spec\.expirationSeconds: Invalid value: 540: may not specify a duration less than 10 minutes/,
    );
    // An explicit zero is not "unset": it is validated, not defaulted.
    const zero = await asAdmin(standIn, "/api/v1/namespaces/tr/serviceaccounts/robot/token", {
      method: "POST",
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 0 } },
    });
    assert.equal(zero.status, 422);
  });

  it("binds to a Secret, a Pod or a Node from --bound-object-*, refuses a wrong UID with 409, and dies with the object", async () => {
    const secret = standIn.store.create({ kind: "Secret", metadata: { name: "anchor", namespace: "tr" } });
    const runner = standIn.store.get("pods", { namespace: "tr", name: "runner" });
    const node = standIn.store.get("nodes", { name: "stand-in-node" });
    const bound = async (kind: string, name: string, ...extra: string[]) => {
      const result = await run([
        "create",
        "token",
        "robot",
        "-n",
        "tr",
        `--bound-object-kind=${kind}`,
        `--bound-object-name=${name}`,
        ...extra,
      ]);
      return result;
    };
    const toSecret = await bound("Secret", "anchor");
    assert.equal(toSecret.code, 0, toSecret.stderr);
    assert.deepEqual(claimsOf(toSecret.stdout.trim()).k8s.secret, {
      name: "anchor",
      uid: secret.metadata.uid,
    });
    const toPod = claimsOf((await bound("Pod", "runner")).stdout.trim()).k8s;
    assert.deepEqual(toPod.pod, { name: "runner", uid: runner.metadata.uid });
    assert.deepEqual(toPod.node, { name: "stand-in-node", uid: node.metadata.uid });
    const toNode = claimsOf((await bound("Node", "stand-in-node")).stdout.trim()).k8s;
    assert.deepEqual(toNode.node, { name: "stand-in-node", uid: node.metadata.uid });

    const stale = await bound("Secret", "anchor", "--bound-object-uid=0000");
    assert.notEqual(stale.code, 0);
    assert.match(
      stale.stderr,
      /Operation cannot be fulfilled on Secret "anchor": the UID in the bound object reference \(0000\) does not match the UID in record\. The object might have been deleted and then recreated/,
    );

    const asBound = join(kubectl.dir, "bound.kubeconfig");
    await standIn.writeKubeconfig(asBound, { token: toSecret.stdout.trim(), context: "bound" });
    assert.equal((await run(["auth", "whoami"], asBound)).code, 0);
    assert.equal((await run(["delete", "secret", "anchor", "-n", "tr"])).code, 0);
    const after = await run(["auth", "whoami"], asBound);
    assert.notEqual(after.code, 0);
    assert.match(after.stderr, /Unauthorized/);
  });

  it("extends a pod-bound 3607-second request to a year even under a larger cap; a cap below 3607 cuts it instead", async () => {
    const args = [
      "create",
      "token",
      "robot",
      "-n",
      "tr",
      "--bound-object-kind=Pod",
      "--bound-object-name=runner",
    ];
    for (const kubeconfig of [admin, cappedAdmin]) {
      const created = await run([...args, "--duration=3607s"], kubeconfig);
      assert.equal(created.code, 0, created.stderr);
      const claims = claimsOf(created.stdout.trim());
      assert.equal(claims.lifetime, YEAR);
      assert.equal(claims.k8s.warnafter, claims.iat! + 3607);
    }
    const hourCap = await startStandIn({ maxTokenExpirationSeconds: 3600 });
    try {
      ensureNamespace(hourCap, "tr");
      hourCap.store.create({ kind: "ServiceAccount", metadata: { name: "robot", namespace: "tr" } });
      hourCap.store.create(pod("tr", "runner", {}, "robot"));
      const token = await hourCap.issueToken("tr", "robot", {
        expirationSeconds: 3607,
        boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "runner" },
      });
      const claims = claimsOf(token);
      assert.equal(claims.lifetime, 3600);
      assert.equal(claims.k8s.warnafter, undefined);
    } finally {
      await hourCap.close();
    }
  });

  it("refuses a cap kube-apiserver would refuse to start with", async () => {
    await assert.rejects(
      startStandIn({ maxTokenExpirationSeconds: 1800 }),
      /the service-account-max-token-expiration must be between 1 hour and 2\^32 seconds/,
    );
  });
});
