/**
 * Where the broker offers a prefix-free gateway address, `kubectl broker kubeconfig` writes it,
 * and the clients that read that kubeconfig and run the exec plugin work through it: kubectl,
 * and the Node client (@kubernetes/client-node), which runs the plugin itself.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { parse } from "yaml";
import { useDeveloper } from "./developer.ts";

describe("kubectl broker kubeconfig with a prefix-free gateway", () => {
  const developer = useDeveloper({ prefixFreeGateway: true });

  it("writes the prefix-free address, and kubectl and the Node client work through it with the plugin", async () => {
    const { stack, kubectl, env, login, kubeconfig } = developer();
    assert.equal((await login()).code, 0);
    const file = await kubeconfig("team-a");
    const written = parse(await readFile(file, "utf8")) as { clusters: { cluster: { server: string } }[] };
    assert.deepEqual(
      written.clusters.map((c) => c.cluster.server),
      [stack.gatewayUrl],
    );

    const pods = await kubectl.run(file, ["get", "pods", "-o", "name"]);
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /pod\/web-1/);

    // client-node runs the exec plugin with this process's environment: the developer's HOME
    // (where the CLI keeps the session) and PATH, for the length of the call.
    const saved = { HOME: process.env.HOME, PATH: process.env.PATH };
    Object.assign(process.env, { HOME: env.HOME, PATH: env.PATH });
    try {
      const config = new KubeConfig();
      config.loadFromFile(file);
      const list = await config.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: "team-a" });
      assert.ok(list.items.some((pod) => pod.metadata?.name === "web-1"));
    } finally {
      Object.assign(process.env, saved);
    }
  });
});
