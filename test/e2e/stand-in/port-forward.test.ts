import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { connectLocal, startPortForward } from "../../../tools/stand-in/kubectl-port-forward.ts";
import { ensureNamespace, pod, serviceAccountToken } from "./fixtures.ts";

/** kubectl 1.32's two ways: SPDY tunnelled in WebSocket first, the plain SPDY upgrade when told. */
const PATHS = [
  { name: "WebSocket (SPDY/3.1+portforward.k8s.io)", websockets: true, method: "GET" },
  { name: "SPDY fallback (KUBECTL_PORT_FORWARD_WEBSOCKETS=false)", websockets: false, method: "POST" },
];

describe("kubectl port-forward straight to the stand-in", () => {
  let standIn: StandIn;
  let kubectl: KubectlSandbox;
  let admin: string;

  before(async () => {
    standIn = await startStandIn();
    ensureNamespace(standIn, "pf");
    standIn.store.create(pod("pf", "box"));
    kubectl = await kubectlSandbox();
    admin = join(kubectl.dir, "admin.kubeconfig");
    await standIn.writeKubeconfig(admin, { namespace: "pf" });
  });
  after(async () => {
    await kubectl?.cleanup();
    await standIn?.close();
  });

  const upgrades = () =>
    standIn.requests.filter((r) => r.path === "/api/v1/namespaces/pf/pods/box/portforward");

  for (const path of PATHS) {
    describe(path.name, () => {
      it("forwards a local port to the pod's echo server: bytes both ways, several connections at once and one after another", async () => {
        const before = upgrades().length;
        const forward = await startPortForward(kubectl, admin, "box", 8080, { websockets: path.websockets });
        const payloads = [randomBytes(100 * 1024), randomBytes(17), Buffer.from("hello\n")];
        const connections = await Promise.all(payloads.map(() => connectLocal(forward.port)));
        connections.forEach((connection, i) => {
          connection.socket.write(payloads[i]!);
        });
        for (const [i, connection] of connections.entries()) {
          const echoed = await connection.received(payloads[i]!.length);
          assert.ok(echoed.equals(payloads[i]!), `connection ${i} got its own bytes back`);
        }
        // Several exchanges on one connection, then the client's end closes it cleanly.
        const chatty = connections[2]!;
        chatty.socket.write("second\n");
        assert.equal((await chatty.received(13)).toString(), "hello\nsecond\n");
        for (const connection of connections) connection.socket.end();
        await Promise.all(connections.map((connection) => connection.closed()));

        const later = await connectLocal(forward.port);
        later.socket.end("after the others\n");
        assert.equal((await later.closed()).toString(), "after the others\n");
        assert.equal(forward.kubectl.process.exitCode, null, "kubectl is still forwarding");
        assert.doesNotMatch(forward.kubectl.errors(), /error/i);
        forward.kubectl.stop();

        const made = upgrades().slice(before);
        assert.deepEqual(
          made.map((r) => [r.method, r.status, r.user]),
          [[path.method, 101, "kubernetes-admin"]],
          "one upgrade, by the expected path, carried every connection",
        );
      });

      it("serves HTTP on port 80 through the same forward, request after request", async () => {
        const forward = await startPortForward(kubectl, admin, "box", 80, { websockets: path.websockets });
        for (const page of ["/", "/healthz?full=1"]) {
          const res = await fetch(`http://127.0.0.1:${forward.port}${page}`);
          assert.equal(res.status, 200);
          assert.equal(await res.text(), `hello from box: GET ${page}\n`);
        }
        forward.kubectl.stop();
      });

      it("a port with nothing listening: the connection closes and kubectl reports the kubelet's error", async () => {
        const forward = await startPortForward(kubectl, admin, "box", 9999, { websockets: path.websockets });
        const connection = await connectLocal(forward.port);
        assert.equal((await connection.closed()).length, 0);
        const exited = await new Promise<number | null>((resolve) => {
          if (forward.kubectl.process.exitCode !== null) resolve(forward.kubectl.process.exitCode);
          else forward.kubectl.process.once("exit", (code) => resolve(code));
        });
        assert.notEqual(exited, 0);
        const stderr = forward.kubectl.errors();
        assert.match(
          stderr,
          /an error occurred forwarding \d+ -> 9999: error forwarding port 9999 to pod [0-9a-f]{64}, uid : .*failed to connect to localhost:9999 inside namespace/,
        );
        assert.match(stderr, /lost connection to pod/);
      });
    });
  }

  it("refuses a port-forward without pods/portforward create, on both paths", async () => {
    const token = await serviceAccountToken(standIn, "pf", "viewer", { clusterRole: "view" });
    const viewer = join(kubectl.dir, "viewer.kubeconfig");
    await standIn.writeKubeconfig(viewer, { token, namespace: "pf" });
    const before = upgrades().length;
    const result = await kubectl.run(viewer, ["port-forward", "--address", "127.0.0.1", "pod/box", "0:8080"]);
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /pods "box" is forbidden: User "system:serviceaccount:pf:viewer" cannot create resource "pods\/portforward"/,
    );
    // The refused WebSocket upgrade sends kubectl to the SPDY upgrade, refused too.
    assert.deepEqual(
      upgrades()
        .slice(before)
        .map((r) => [r.method, r.status]),
      [
        ["GET", 403],
        ["POST", 403],
      ],
    );
  });
});
