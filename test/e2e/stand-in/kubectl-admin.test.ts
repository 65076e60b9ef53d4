import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { pod } from "./fixtures.ts";

describe("real kubectl against the stand-in, as cluster admin", () => {
  let standIn: StandIn;
  let kubectl: KubectlSandbox;
  let kubeconfig: string;
  const run = (args: string[], input?: string) => kubectl.run(kubeconfig, args, { input });

  before(async () => {
    standIn = await startStandIn();
    await standIn.seedDemo();
    kubectl = await kubectlSandbox();
    kubeconfig = join(kubectl.dir, "admin.kubeconfig");
    await standIn.writeKubeconfig(kubeconfig);
  });
  after(async () => {
    await kubectl.cleanup();
    await standIn.close();
  });

  it("get pods prints the server's table", async () => {
    const result = await run(["get", "pods", "-n", "team-a"]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split("\n");
    assert.match(lines[0]!, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    assert.match(result.stdout, /\nweb-1\s+1\/1\s+Running\s+0\s+\d+s\n/);
    const all = await run(["get", "pods", "-A", "-l", "app=web", "-o", "name"]);
    assert.equal(all.stdout, "pod/web-1\npod/web-2\n");
  });

  it("get pods -w sees a pod created while it watches", async () => {
    const watch = kubectl.start(kubeconfig, ["get", "pods", "-n", "team-a", "-w"]);
    try {
      await watch.waitFor("worker-1");
      standIn.store.create(pod("team-a", "arrived-later"));
      await watch.waitFor(/arrived-later\s+1\/1\s+Running/);
    } finally {
      watch.stop();
    }
  });

  it("logs -f sees a line appended while it follows", async () => {
    const logs = kubectl.start(kubeconfig, ["logs", "-f", "-n", "team-a", "web-1"]);
    try {
      await logs.waitFor("GET /api/orders 200");
      standIn.appendPodLog("team-a", "web-1", "appended while following");
      await logs.waitFor("appended while following\n");
    } finally {
      logs.stop();
    }
  });

  it("exec runs echo, round-trips stdin through cat, and passes exit codes", async () => {
    const echo = await run(["exec", "-n", "team-a", "web-1", "--", "echo", "hi"]);
    assert.deepEqual([echo.code, echo.stdout], [0, "hi\n"], echo.stderr);
    const cat = await run(["exec", "-i", "-n", "team-a", "web-1", "--", "cat"], "round trip\nsecond line\n");
    assert.deepEqual([cat.code, cat.stdout], [0, "round trip\nsecond line\n"], cat.stderr);
    const failing = await run(["exec", "-n", "team-a", "web-1", "--", "sh", "-c", "exit 3"]);
    assert.equal(failing.code, 3);
    assert.match(failing.stderr, /command terminated with exit code 3/);
    const websocketOnly = standIn.requests.filter((r) => r.path.endsWith("/exec"));
    assert.ok(
      websocketOnly.every((r) => r.method === "GET" && r.status === 101),
      "no SPDY fallback was needed",
    );
  });

  it("auth whoami and auth can-i", async () => {
    const whoami = await run(["auth", "whoami"]);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(whoami.stdout, /Username\s+kubernetes-admin/);
    assert.match(whoami.stdout, /Groups\s+\[system:masters system:authenticated\]/);
    const canI = await run(["auth", "can-i", "list", "pods"]);
    assert.deepEqual([canI.code, canI.stdout], [0, "yes\n"]);
  });

  it("create configmap and delete configmap", async () => {
    const created = await run([
      "create",
      "configmap",
      "made-by-kubectl",
      "-n",
      "team-a",
      "--from-literal=greeting=hello",
    ]);
    assert.deepEqual(
      [created.code, created.stdout],
      [0, "configmap/made-by-kubectl created\n"],
      created.stderr,
    );
    const stored = standIn.store.get("configmaps", { namespace: "team-a", name: "made-by-kubectl" });
    assert.deepEqual(stored.data, { greeting: "hello" });
    const deleted = await run(["delete", "configmap", "made-by-kubectl", "-n", "team-a"]);
    assert.deepEqual(
      [deleted.code, deleted.stdout],
      [0, 'configmap "made-by-kubectl" deleted\n'],
      deleted.stderr,
    );
    assert.equal(
      standIn.store.find("configmaps", { namespace: "team-a", name: "made-by-kubectl" }),
      undefined,
    );
  });

  it("create -f and apply -f validate through OpenAPI v3; create token, rolebinding, secret, namespace", async () => {
    const manifest = JSON.stringify({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "from-file", namespace: "team-b" },
    });
    const created = await run(["create", "-f", "-"], manifest);
    assert.equal(created.code, 0, created.stderr);
    const configMap = (value: string) =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "applied", namespace: "team-b" },
        data: { v: value },
      });
    assert.equal((await run(["apply", "-f", "-"], configMap("1"))).stdout, "configmap/applied created\n");
    assert.equal((await run(["apply", "-f", "-"], configMap("2"))).stdout, "configmap/applied configured\n");
    assert.deepEqual(standIn.store.get("configmaps", { namespace: "team-b", name: "applied" }).data, {
      v: "2",
    });
    const token = await run(["create", "token", "from-file", "-n", "team-b", "--duration=10m"]);
    assert.equal(token.code, 0, token.stderr);
    assert.equal(token.stdout.trim().split(".").length, 3);
    const binding = await run([
      "create",
      "rolebinding",
      "rb",
      "-n",
      "team-b",
      "--clusterrole=view",
      "--serviceaccount=team-b:from-file",
    ]);
    assert.equal(binding.code, 0, binding.stderr);
    const secret = await run(["create", "secret", "generic", "typed", "-n", "team-b", "--from-literal=k=v"]);
    assert.equal(secret.code, 0, secret.stderr);
    assert.deepEqual(standIn.store.get("secrets", { namespace: "team-b", name: "typed" }).data, {
      k: "dg==",
    });
    assert.equal((await run(["create", "namespace", "made-by-kubectl"])).code, 0);
    assert.ok(standIn.store.find("serviceaccounts", { namespace: "made-by-kubectl", name: "default" }));
    const tooShort = await run(["create", "token", "from-file", "-n", "team-b", "--duration=1m"]);
    assert.notEqual(tooShort.code, 0);
    assert.match(tooShort.stderr, /may not specify a duration less than 10 minutes/);
  });
});
