/**
 * The clients people use, through the gateway with an edit grant, at both cluster addresses:
 * the prefix-free listener and /clusters/<name>. Real kubectl (the commands beyond everyday
 * get/apply that issue 20 found failing or untested), Debian's official Python client, the
 * Node client (@kubernetes/client-node) and curl with the gateway token. What cannot work at
 * one address is left out here and listed in the README ("Works with these clients"), with the
 * reason; nothing is left out because of the gateway.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { writeKubeconfigFile } from "../../../tools/stand-in/kubeconfig.ts";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { podsThroughKubectlProxy } from "../../support/kubectl-proxy.ts";
import { STANDING_EDIT, type Stack, startStack } from "../../support/stack.ts";

const run = promisify(execFile);
// Debian's python3-kubernetes lives under /usr/bin/python3; another python3 may come first on PATH.
const PYTHON = "/usr/bin/python3";
const PYTHON_CLIENT = join(import.meta.dirname, "../../support/python-client.py");

type Address = "prefix-free" | "/clusters/<name>";
const ADDRESSES: Address[] = ["prefix-free", "/clusters/<name>"];

describe("clients through the gateway", { timeout: 240_000 }, () => {
  let stack: Stack;
  let kubectl: KubectlSandbox;
  let token: string;
  const servers = {} as Record<Address, string>;
  const kubeconfigs = {} as Record<Address, string>;

  before(async () => {
    stack = await startStack({ prefixFreeGateway: true, config: STANDING_EDIT });
    kubectl = await kubectlSandbox();
    const session = await stack.login("dev");
    ({ token } = await stack.credential(session, { role: "edit", namespace: "team-a" }));
    servers["prefix-free"] = stack.gatewayUrl!;
    servers["/clusters/<name>"] = `${stack.url}/clusters/test`;
    for (const address of ADDRESSES) {
      kubeconfigs[address] = join(
        kubectl.dir,
        `${address === "prefix-free" ? "root" : "prefixed"}.kubeconfig`,
      );
      await writeKubeconfigFile(kubeconfigs[address], servers[address], stack.caCert, token, {
        context: "compat",
        namespace: "team-a",
      });
    }
  });
  after(async () => {
    await kubectl?.cleanup();
    await stack?.close();
  });

  for (const address of ADDRESSES) {
    describe(`at the ${address} address`, () => {
      const unique = () =>
        `compat-${address === "prefix-free" ? "root" : "prefixed"}-${randomBytes(3).toString("hex")}`;
      const ok = async (args: string[], options?: { input?: string }) => {
        const result = await kubectl.run(kubeconfigs[address], args, options);
        assert.equal(result.code, 0, `kubectl ${args.join(" ")}: ${result.stderr}`);
        return result.stdout;
      };
      const manifest = (name: string, value: string) =>
        JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { value } });

      it("kubectl api-resources, get -o wide, auth can-i, auth whoami", async () => {
        assert.match(await ok(["api-resources"]), /configmaps[\s\S]*deployments/);
        assert.match(await ok(["get", "pods", "-o", "wide"]), /web-1/);
        assert.equal((await ok(["auth", "can-i", "create", "configmaps"])).trim(), "yes");
        assert.match(await ok(["auth", "whoami"]), /system:serviceaccount:kube-broker-grants:kb-dev-/);
      });

      it("kubectl apply --server-side, diff, label, patch --type=json", async () => {
        const name = unique();
        assert.match(
          await ok(["apply", "--server-side", "-f", "-"], { input: manifest(name, "1") }),
          /serverside-applied/,
        );
        const diff = await kubectl.run(kubeconfigs[address], ["diff", "-f", "-"], {
          input: manifest(name, "2"),
        });
        assert.equal(diff.code, 1, `diff exits 1 when there are differences: ${diff.stderr}`);
        assert.match(diff.stdout, /-\s+value: "1"[\s\S]*\+\s+value: "2"/);
        assert.match(await ok(["label", "configmap", name, "compat=yes"]), /labeled/);
        const patch = JSON.stringify([{ op: "add", path: "/data/patched", value: "yes" }]);
        assert.match(await ok(["patch", "configmap", name, "--type=json", "-p", patch]), /patched/);
        const stored = JSON.parse(await ok(["get", "configmap", name, "-o", "json"]));
        assert.deepEqual(
          { labels: stored.metadata.labels, data: stored.data },
          { labels: { compat: "yes" }, data: { value: "1", patched: "yes" } },
        );
      });

      it("kubectl wait, and get --watch-only sees a change made meanwhile", async () => {
        assert.match(
          await ok(["wait", "--for=jsonpath={.metadata.name}=web-1", "pod/web-1", "--timeout=10s"]),
          /condition met/,
        );
        const watch = kubectl.start(kubeconfigs[address], ["get", "configmaps", "--watch-only"]);
        try {
          await new Promise((r) => setTimeout(r, 500)); // let the watch open
          const name = unique();
          await ok(["create", "configmap", name, "--from-literal=a=1"]);
          await watch.waitFor(name, 10_000);
        } finally {
          watch.stop();
        }
      });

      it("kubectl explain, events, top pods, logs and exec", async () => {
        assert.match(await ok(["explain", "pods.spec.containers"]), /FIELD:\s+containers[\s\S]*image/);
        assert.match(await ok(["events"]), /Scheduled|Started/);
        assert.match(await ok(["top", "pods"]), /NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)[\s\S]*web-1/);
        assert.notEqual((await ok(["logs", "web-1", "--tail=2"])).trim(), "");
        assert.equal(
          await ok(["exec", "web-1", "--", "echo", "through the gateway"]),
          "through the gateway\n",
        );
      });

      it("kubectl cp out of a pod and into it", async () => {
        const out = join(kubectl.dir, `${unique()}.txt`);
        await ok(["cp", "team-a/web-1:/etc/hostname", out]);
        assert.equal(await readFile(out, "utf8"), "web-1\n");
        const local = join(kubectl.dir, `${unique()}.txt`);
        const text = `copied in at the ${address} address\n`;
        await writeFile(local, text);
        await ok(["cp", local, "team-a/web-1:/tmp/copied.txt"]);
        assert.equal(await ok(["exec", "web-1", "--", "cat", "/tmp/copied.txt"]), text);
      });

      it("kubectl proxy", async () => {
        // At /clusters/<name>, kubectl proxy must be told to keep the server's path; kubectl
        // says so itself. The prefix-free address needs nothing.
        const flags = address === "prefix-free" ? [] : ["--append-server-path"];
        const { status, pods } = await podsThroughKubectlProxy(kubectl, kubeconfigs[address], flags);
        assert.equal(status, 200);
        assert.ok(pods.includes("web-1"));
      });

      if (address === "prefix-free") {
        it("kubectl get --raw: /version, /apis, /livez, /openapi/v3 are the cluster's", async () => {
          assert.match(await ok(["get", "--raw", "/version"]), /"gitVersion"/);
          assert.match(await ok(["get", "--raw", "/apis"]), /"APIGroupList"/);
          assert.equal((await ok(["get", "--raw", "/livez"])).trim(), "ok");
          assert.match(await ok(["get", "--raw", "/openapi/v3"]), /"paths"/);
        });
      }

      it("the official Python client: list, watch, logs, exec, create", async () => {
        const { stdout } = await run(
          PYTHON,
          [PYTHON_CLIENT, kubeconfigs[address], "team-a", "web-1", unique()],
          { timeout: 60_000 },
        );
        const rows = JSON.parse(stdout) as Record<string, { ok: boolean; detail: string }>;
        const failed = Object.entries(rows).filter(([, row]) => !row.ok);
        assert.deepEqual(failed, [], "every row of the Python client works");
        assert.deepEqual(Object.keys(rows), ["list", "watch", "logs", "exec", "create"]);
      });

      it("the Node client (@kubernetes/client-node): list", async () => {
        const config = new KubeConfig();
        config.loadFromFile(kubeconfigs[address]);
        const pods = await config.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: "team-a" });
        assert.ok(pods.items.some((pod) => pod.metadata?.name === "web-1"));
      });

      it("curl with the gateway token", async () => {
        const { stdout } = await run("curl", [
          "-sS",
          "--fail-with-body",
          "--cacert",
          stack.caFile,
          "-H",
          `Authorization: Bearer ${token}`,
          `${servers[address]}/api/v1/namespaces/team-a/pods`,
        ]);
        const list = JSON.parse(stdout) as { kind: string; items: { metadata: { name: string } }[] };
        assert.equal(list.kind, "PodList");
        assert.ok(list.items.some((pod) => pod.metadata.name === "web-1"));
      });
    });
  }
});
