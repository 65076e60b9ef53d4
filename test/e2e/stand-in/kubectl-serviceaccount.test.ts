import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { pod, serviceAccountToken } from "./fixtures.ts";

const forbidden = (verb: string, resource: string, namespace = "team-a") =>
  `User "system:serviceaccount:team-a:viewer" cannot ${verb} resource "${resource}" in API group "" in the namespace "${namespace}"`;

describe("real kubectl against the stand-in, with service-account tokens it issued", () => {
  let standIn: StandIn;
  let kubectl: KubectlSandbox;
  let viewer: string;
  let editor: string;

  before(async () => {
    standIn = await startStandIn();
    await standIn.seedDemo();
    kubectl = await kubectlSandbox();
    viewer = join(kubectl.dir, "viewer.kubeconfig");
    editor = join(kubectl.dir, "editor.kubeconfig");
    const viewerToken = await serviceAccountToken(standIn, "team-a", "viewer", { clusterRole: "view" });
    const editorToken = await serviceAccountToken(standIn, "team-a", "editor", { clusterRole: "edit" });
    await standIn.writeKubeconfig(viewer, { token: viewerToken, namespace: "team-a", context: "viewer" });
    await standIn.writeKubeconfig(editor, { token: editorToken, namespace: "team-a", context: "editor" });
  });
  after(async () => {
    await kubectl.cleanup();
    await standIn.close();
  });

  describe("bound to view in team-a", () => {
    const run = (args: string[]) => kubectl.run(viewer, args);

    it("gets pods, watches them and follows logs", async () => {
      const pods = await run(["get", "pods"]);
      assert.equal(pods.code, 0, pods.stderr);
      assert.match(pods.stdout, /\nweb-1\s+1\/1\s+Running/);
      const watch = kubectl.start(viewer, ["get", "pods", "-w"]);
      const logs = kubectl.start(viewer, ["logs", "-f", "worker-1"]);
      try {
        await watch.waitFor("worker-1");
        standIn.store.create(pod("team-a", "seen-by-viewer"));
        await watch.waitFor("seen-by-viewer");
        await logs.waitFor("job 2 done");
        standIn.appendPodLog("team-a", "worker-1", "job 3 done");
        await logs.waitFor("job 3 done\n");
      } finally {
        watch.stop();
        logs.stop();
      }
    });

    it("knows who it is and what it may do", async () => {
      const whoami = await run(["auth", "whoami"]);
      assert.match(whoami.stdout, /Username\s+system:serviceaccount:team-a:viewer/);
      assert.match(
        whoami.stdout,
        /Groups\s+\[system:serviceaccounts system:serviceaccounts:team-a system:authenticated\]/,
      );
      assert.deepEqual(await run(["auth", "can-i", "list", "pods"]).then((r) => [r.code, r.stdout]), [
        0,
        "yes\n",
      ]);
      assert.deepEqual(await run(["auth", "can-i", "list", "secrets"]).then((r) => [r.code, r.stdout]), [
        1,
        "no\n",
      ]);
    });

    it("is refused (403) where RBAC says no", async () => {
      const secrets = await run(["get", "secrets"]);
      assert.equal(secrets.code, 1);
      assert.equal(
        secrets.stderr,
        `Error from server (Forbidden): secrets is forbidden: ${forbidden("list", "secrets")}\n`,
      );
      const elsewhere = await run(["get", "pods", "-n", "team-b"]);
      assert.match(
        elsewhere.stderr,
        new RegExp(`Forbidden.*${literal(forbidden("list", "pods", "team-b"))}`),
      );
      const exec = await run(["exec", "web-1", "--", "echo", "hi"]);
      assert.notEqual(exec.code, 0);
      assert.match(exec.stderr, /Forbidden.*cannot (get|create) resource "pods\/exec"/);
      const create = await run(["create", "configmap", "nope", "--from-literal=a=b"]);
      assert.match(create.stderr, new RegExp(literal(forbidden("create", "configmaps"))));
      const remove = await run(["delete", "configmap", "app-config"]);
      assert.match(
        remove.stderr,
        new RegExp(literal(`configmaps "app-config" is forbidden: ${forbidden("delete", "configmaps")}`)),
      );
      assert.ok(standIn.store.find("configmaps", { namespace: "team-a", name: "app-config" }));
    });
  });

  describe("bound to edit in team-a", () => {
    const run = (args: string[], input?: string) => kubectl.run(editor, args, { input });

    it("execs echo and cat", async () => {
      const echo = await run(["exec", "web-1", "--", "echo", "hi"]);
      assert.deepEqual([echo.code, echo.stdout], [0, "hi\n"], echo.stderr);
      const cat = await run(["exec", "-i", "web-1", "--", "cat"], "from the editor\n");
      assert.deepEqual([cat.code, cat.stdout], [0, "from the editor\n"], cat.stderr);
      const whoami = await run(["exec", "web-1", "--", "whoami"]);
      assert.equal(whoami.stdout, "system:serviceaccount:team-a:editor\n");
    });

    it("creates and deletes a config map", async () => {
      const created = await run(["create", "configmap", "edited", "--from-literal=a=b"]);
      assert.deepEqual([created.code, created.stdout], [0, "configmap/edited created\n"], created.stderr);
      const deleted = await run(["delete", "configmap", "edited"]);
      assert.deepEqual([deleted.code, deleted.stdout], [0, 'configmap "edited" deleted\n'], deleted.stderr);
    });

    it("is locked out (401) as soon as its ServiceAccount is deleted", async () => {
      assert.equal((await run(["get", "pods"])).code, 0);
      standIn.store.delete("serviceaccounts", { namespace: "team-a", name: "editor" });
      const after = await run(["get", "pods"]);
      assert.equal(after.code, 1);
      assert.match(after.stderr, /You must be logged in to the server \(Unauthorized\)/);
    });
  });
});

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
