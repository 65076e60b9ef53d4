import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { connect } from "node:tls";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { connectLocal, startPortForward } from "../../../tools/stand-in/kubectl-port-forward.ts";
import { readAudit, requestRecords, waitForRecord } from "../../support/audit-log.ts";
import { bearer } from "../../support/login.ts";
import { STANDING_EDIT, type Stack, startStack } from "../../support/stack.ts";

/** kubectl 1.32's two ways: SPDY tunnelled in WebSocket (http-proxy's ws()), the plain SPDY upgrade (our pipe). */
const PATHS = [
  { name: "over WebSocket", websockets: true, method: "GET" },
  { name: "over the SPDY fallback", websockets: false, method: "POST" },
];

describe("kubectl port-forward through the gateway", () => {
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

  /**
   * A dev user's standing `edit` grant in team-a, and a kubeconfig that uses it through the
   * gateway. The broker hands out the same grant while it is active, so every test revokes its
   * grant when done and the next one starts on a fresh grant and ServiceAccount.
   */
  const editGrant = async (name: string) => {
    const session = await stack.login("dev");
    const { token, grant } = await stack.credential(session, { role: "edit", namespace: "team-a" });
    const kubeconfig = await stack.gatewayKubeconfig(name, token, "team-a");
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    const { namespace, serviceaccount } = claims["kubernetes.io"];
    // The grant's ServiceAccount, as the cluster names whoever the gateway forwards as.
    const user = `system:serviceaccount:${namespace}:${serviceaccount.name}`;
    return { session, grant, kubeconfig, user, audience: [claims.aud].flat() as string[] };
  };
  const revoke = (session: string, grantId: string) =>
    fetch(`${stack.url}/v1/grants/${grantId}`, { method: "DELETE", headers: bearer(session) });
  const exited = (process: ChildProcess) =>
    new Promise<number>((resolve) => {
      if (process.exitCode !== null || process.signalCode !== null) resolve(Date.now());
      else process.once("exit", () => resolve(Date.now()));
    });

  for (const path of PATHS) {
    it(`forwards a local port ${path.name}: bytes both ways, audited as portforward with start and end`, async () => {
      const { session, grant, kubeconfig, user, audience } = await editGrant(`pf-${path.method}`);
      const forward = await startPortForward(kubectl, kubeconfig, "web-1", 8080, {
        websockets: path.websockets,
      });
      const payloads = [randomBytes(64 * 1024), Buffer.from("ping\n")];
      const connections = await Promise.all(payloads.map(() => connectLocal(forward.port)));
      connections.forEach((connection, i) => {
        connection.socket.write(payloads[i]!);
      });
      for (const [i, connection] of connections.entries()) {
        assert.ok((await connection.received(payloads[i]!.length)).equals(payloads[i]!));
        connection.socket.end();
        await connection.closed();
      }
      forward.kubectl.stop();

      const end = await waitForRecord(stack.redis, { verb: "portforward", grant: grant.id });
      assert.equal(end.status, "101");
      assert.equal(end.decision, "allowed");
      assert.equal(end.name, "web-1");
      assert.equal(end.namespace, "team-a");
      const sent = payloads.reduce((sum, p) => sum + p.length, 0);
      assert.ok(Number(end.bytesIn) > sent, `bytesIn ${end.bytesIn} counts what the client sent`);
      assert.ok(Number(end.bytesOut) > sent, `bytesOut ${end.bytesOut} counts what came back`);
      const start = (await readAudit(stack.redis)).find(
        (e) => e.type === "request" && e.phase === "start" && e.id === end.id,
      );
      assert.ok(start, "a start record shares the end record's id");
      assert.equal((start as { verb: string }).verb, "portforward");

      const upstream = stack.standIn.requests.filter(
        (r) => r.path === "/api/v1/namespaces/team-a/pods/web-1/portforward" && r.user === user,
      );
      assert.deepEqual(
        upstream.map((r) => [r.method, r.status]),
        [[path.method, 101]],
        "the cluster saw one upgrade, by the expected path, as the grant's ServiceAccount",
      );
      // kubectl's token is for the gateway only; the cluster accepted the gateway's own credential.
      assert.ok(!audience.includes("https://kubernetes.default.svc"), `kubectl's token is for ${audience}`);
      assert.equal((await revoke(session, grant.id)).status, 200);
    });

    it(`cuts a port-forward ${path.name} within a second when its grant is revoked`, async () => {
      const { session, grant, kubeconfig } = await editGrant(`pf-revoke-${path.method}`);
      const forward = await startPortForward(kubectl, kubeconfig, "web-1", 8080, {
        websockets: path.websockets,
      });
      const open = await connectLocal(forward.port);
      open.socket.write("before\n");
      assert.equal((await open.received(7)).toString(), "before\n");

      const revokedAt = Date.now();
      assert.equal((await revoke(session, grant.id)).status, 200);
      const ended = await exited(forward.kubectl.process);
      assert.ok(ended - revokedAt < 1000, `kubectl exited ${ended - revokedAt} ms after the revoke`);
      await open.closed(1000);
      await assert.rejects(connectLocal(forward.port), /ECONNREFUSED/, "the local port no longer forwards");
      assert.match(forward.kubectl.errors(), /lost connection to pod/);

      const end = await waitForRecord(stack.redis, { verb: "portforward", grant: grant.id });
      assert.equal(end.status, "101");
    });
  }

  it("refuses port-forward upgrades that carry Impersonate-* headers, on both paths, before the cluster", async () => {
    const session = await stack.login("dev");
    const { token, grant } = await stack.credential(session, { role: "edit", namespace: "team-a" });
    const path = "/clusters/test/api/v1/namespaces/team-a/pods/web-1/portforward";
    const url = new URL(stack.url);
    /** kubectl's upgrade requests, written by hand: kubectl itself impersonates from its first request. */
    const upgrade = async (lines: string[]) => {
      const socket = connect({ host: url.hostname, port: Number(url.port), ca: stack.caCert });
      await once(socket, "secureConnect");
      socket.write([...lines, `host: ${url.host}`, `authorization: Bearer ${token}`, "", ""].join("\r\n"));
      // The gateway answers a refusal with `connection: close` and ends the socket.
      let answer = "";
      for await (const chunk of socket) answer += String(chunk);
      return answer;
    };
    const reached = () => stack.standIn.requests.filter((r) => r.path.endsWith("/portforward")).length;
    const before = reached();
    const answers = [
      await upgrade([
        `GET ${path}?ports=8080 HTTP/1.1`,
        "connection: Upgrade",
        "upgrade: websocket",
        `sec-websocket-key: ${randomBytes(16).toString("base64")}`,
        "sec-websocket-version: 13",
        "sec-websocket-protocol: SPDY/3.1+portforward.k8s.io",
        "impersonate-user: system:admin",
      ]),
      await upgrade([
        `POST ${path} HTTP/1.1`,
        "connection: Upgrade",
        "upgrade: SPDY/3.1",
        "x-stream-protocol-version: portforward.k8s.io",
        "impersonate-group: system:masters",
        "content-length: 0",
      ]),
    ];
    for (const answer of answers) {
      assert.match(answer, /^HTTP\/1\.1 403 /);
      assert.match(answer, /Impersonate-\* headers are not allowed through kube-broker/);
    }
    assert.equal(reached(), before, "no port-forward reached the cluster");
    const refusals = async () =>
      (await requestRecords(stack.redis, { verb: "portforward", decision: "denied-by-broker" })).map(
        (r) => `${r.status} ${r.path}`,
      );
    // The refusal's record is written just after the answer.
    const deadline = Date.now() + 3000;
    while ((await refusals()).length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(await refusals(), [
      "403 /api/v1/namespaces/team-a/pods/web-1/portforward",
      "403 /api/v1/namespaces/team-a/pods/web-1/portforward",
    ]);
    assert.equal((await revoke(session, grant.id)).status, 200);
  });
});
