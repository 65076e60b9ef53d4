import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { connect } from "node:tls";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { waitForRecord } from "../../support/audit-log.ts";
import { bearer } from "../../support/login.ts";
import { STANDING_EDIT, type Stack, startStack } from "../../support/stack.ts";

describe("long-lived gateway connections", () => {
  let stack: Stack;
  let kubectl: KubectlSandbox;
  before(async () => {
    stack = await startStack({ config: STANDING_EDIT });
    kubectl = await kubectlSandbox();
  });
  after(async () => {
    await kubectl?.cleanup();
    await stack?.close();
  });

  it("tunnels an SPDY upgrade byte for byte", async () => {
    const session = await stack.login("dev");
    const { token } = await stack.credential(session, { role: "edit", namespace: "team-a" });
    const url = new URL(stack.url);
    const socket = connect({ host: url.hostname, port: Number(url.port), ca: stack.caCert });
    await new Promise((resolve) => socket.once("secureConnect", resolve));
    socket.write(
      [
        "POST /clusters/test/api/v1/namespaces/team-a/pods/web-1/exec?command=cat&stdin=true&stdout=true HTTP/1.1",
        `host: ${url.host}`,
        `authorization: Bearer ${token}`,
        "connection: Upgrade",
        "upgrade: SPDY/3.1",
        "x-stream-protocol-version: v4.channel.k8s.io",
        "x-stream-protocol-version: v3.channel.k8s.io",
        "content-length: 0",
        "",
        "",
      ].join("\r\n"),
    );
    let received = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
    });
    const headEnd = async () => {
      for (let i = 0; i < 200; i++) {
        const at = received.indexOf("\r\n\r\n");
        if (at >= 0) return at + 4;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`no response head: ${received.toString()}`);
    };
    const bodyStart = await headEnd();
    const head = received.subarray(0, bodyStart).toString();
    assert.match(head, /^HTTP\/1\.1 101 /);
    assert.match(head, /x-stream-protocol-version: v4\.channel\.k8s\.io/i);
    const payload = randomBytes(64 * 1024);
    socket.write(payload);
    for (let i = 0; i < 300 && received.length - bodyStart < payload.length; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(received.subarray(bodyStart).equals(payload), "every byte came back unchanged");
    socket.destroy();
    const record = await waitForRecord(stack.redis, { verb: "exec", status: "101" });
    assert.equal(record.decision, "allowed");
  });

  it("a revoked grant's open watch and exec are closed within a second, and its next request is 401", async () => {
    const session = await stack.login("dev");
    const { token, grant } = await stack.credential(session, { role: "edit", namespace: "team-b" });
    const kubeconfig = await stack.gatewayKubeconfig("revokee", token, "team-b");
    const watch = kubectl.start(kubeconfig, ["get", "pods", "-w"]);
    const exec = kubectl.start(kubeconfig, ["exec", "api-1", "--", "sleep", "60"]);
    await watch.waitFor("api-1");
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(exec.process.exitCode, null, "exec is running");

    const revokedAt = Date.now();
    const res = await fetch(`${stack.url}/v1/grants/${grant.id}`, {
      method: "DELETE",
      headers: bearer(session),
    });
    assert.equal(res.status, 200);
    const exited = (p: typeof watch) =>
      new Promise<number>((resolve) => {
        if (p.process.exitCode !== null || p.process.signalCode !== null) resolve(Date.now());
        else p.process.once("exit", () => resolve(Date.now()));
      });
    const [watchEnded, execEnded] = await Promise.all([exited(watch), exited(exec)]);
    assert.ok(watchEnded - revokedAt < 1000, `watch closed after ${watchEnded - revokedAt} ms`);
    assert.ok(execEnded - revokedAt < 1000, `exec closed after ${execEnded - revokedAt} ms`);

    const next = await kubectl.run(kubeconfig, ["get", "pods"]);
    assert.notEqual(next.code, 0);
    assert.match(next.stderr, /You must be logged in to the server \(grant \w+ has ended/);
    const direct = await fetch(`${stack.url}/clusters/test/api/v1/namespaces/team-b/pods`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(direct.status, 401);
    assert.match(((await direct.json()) as { message: string }).message, /ended|not managed/);
  });

  it("a grant reaching its deadline closes its open watch at the deadline", async () => {
    const session = await stack.login("dev");
    const { token, grant } = await stack.credential(session, {
      role: "view",
      namespace: "team-a",
      ttl: "2m",
    });
    const kubeconfig = await stack.gatewayKubeconfig("expiring", token, "team-a");
    const watch = kubectl.start(kubeconfig, ["get", "pods", "-w"]);
    await watch.waitFor("web-1");
    // The broker's clock reaches the deadline in 800 ms (real time) instead of two minutes.
    stack.clock.jumpTo(Date.parse(grant.expiresAt), 800);
    const deadline = Date.now() + 800;
    const ended = await new Promise<number>((resolve) =>
      watch.process.once("exit", () => resolve(Date.now())),
    );
    assert.ok(ended - deadline < 2000, `closed ${ended - deadline} ms after the deadline`);
  });

  it("answers a silent watch's headers at once, and closes its cluster side when the client leaves", async () => {
    const session = await stack.login("dev");
    const { token } = await stack.credential(session, { role: "view", namespace: "team-a" });
    const list = await fetch(`${stack.url}/clusters/test/api/v1/namespaces/team-a/configmaps`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const { metadata } = (await list.json()) as { metadata: { resourceVersion: string } };
    const watchPath = `/api/v1/namespaces/team-a/configmaps?watch=true&resourceVersion=${metadata.resourceVersion}`;
    const controller = new AbortController();
    const started = Date.now();
    const watch = await fetch(`${stack.url}/clusters/test${watchPath}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    assert.equal(watch.status, 200);
    assert.ok(Date.now() - started < 1000, `headers after ${Date.now() - started} ms with no event to send`);
    const atCluster = () =>
      stack.standIn.requests.find(
        (r) =>
          r.path.endsWith("/configmaps") && r.query.includes(`resourceVersion=${metadata.resourceVersion}`),
      );
    assert.equal(atCluster()?.status, 0, "the watch is open at the cluster");
    controller.abort();
    const deadline = Date.now() + 1000;
    while (atCluster()?.status === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.notEqual(
      atCluster()?.status,
      0,
      "the cluster's side closed within a second of the client leaving",
    );
  });
});
