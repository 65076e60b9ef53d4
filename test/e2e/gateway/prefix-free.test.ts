/**
 * The prefix-free gateway listener (server.gateway) with real kubectl: one address where every
 * path is the cluster's own, the cluster chosen by the token's audience. What the
 * /clusters/<name> prefix broke works here: --raw paths reach the cluster, not the broker, and
 * kubectl proxy needs no --append-server-path. The prefixed address keeps working beside it.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { writeKubeconfigFile } from "../../../tools/stand-in/kubeconfig.ts";
import { type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";
import { waitForRecord } from "../../support/audit-log.ts";
import { podsThroughKubectlProxy } from "../../support/kubectl-proxy.ts";
import { STANDING_EDIT, type Stack, startStack } from "../../support/stack.ts";

describe("the prefix-free gateway address", () => {
  let stack: Stack;
  let kubectl: KubectlSandbox;
  let session: string;
  const tokens: Record<string, string> = {};
  const kubeconfigs: Record<string, string> = {};

  before(async () => {
    stack = await startStack({ secondCluster: true, prefixFreeGateway: true, config: STANDING_EDIT });
    kubectl = await kubectlSandbox();
    session = await stack.login("dev");
    for (const cluster of ["test", "test-2"]) {
      // edit on test-2: exec (an upgraded connection) is part of what this address must carry.
      const role = cluster === "test" ? "view" : "edit";
      tokens[cluster] = (await stack.credential(session, { cluster, role, namespace: "team-a" })).token;
      kubeconfigs[cluster] = `${kubectl.dir}/${cluster}-root.kubeconfig`;
      await writeKubeconfigFile(kubeconfigs[cluster], stack.gatewayUrl!, stack.caCert, tokens[cluster]!, {
        context: cluster,
        namespace: "team-a",
      });
    }
  });
  after(async () => {
    await kubectl?.cleanup();
    await stack?.close();
  });

  it("GET /v1/clusters offers it to kubeconfigs, with the prefixed address beside it", async () => {
    const { items } = (await (await fetch(`${stack.url}/v1/clusters`)).json()) as {
      items: { name: string; server: string; prefixed: string; prefixFree?: string }[];
    };
    assert.deepEqual(
      items.map(({ name, server, prefixed, prefixFree }) => ({ name, server, prefixed, prefixFree })),
      ["test", "test-2"].map((name) => ({
        name,
        server: stack.gatewayUrl,
        prefixed: `${stack.url}/clusters/${name}`,
        prefixFree: stack.gatewayUrl,
      })),
    );
  });

  it("one address serves each cluster by its token's audience, for kubectl get and exec", async () => {
    for (const cluster of ["test", "test-2"]) {
      const pods = await kubectl.run(kubeconfigs[cluster]!, ["get", "pods", "-o", "name"]);
      assert.equal(pods.code, 0, pods.stderr);
      assert.match(pods.stdout, /pod\/web-1/);
      const record = await waitForRecord(stack.redis, { cluster, verb: "list", resource: "pods" });
      assert.equal(record.path, "/api/v1/namespaces/team-a/pods", "the path is the cluster's own");
    }
    const exec = await kubectl.run(kubeconfigs["test-2"]!, ["exec", "web-1", "--", "echo", "no prefix"]);
    assert.equal(exec.code, 0, exec.stderr);
    assert.equal(exec.stdout, "no prefix\n");
    await waitForRecord(stack.redis, { cluster: "test-2", verb: "exec", name: "web-1" });
  });

  it("kubectl get --raw reaches the cluster's own /version, /apis, /livez and /openapi/v3", async () => {
    const version = await kubectl.run(kubeconfigs.test!, ["get", "--raw", "/version"]);
    assert.equal(version.code, 0, version.stderr);
    const answer = JSON.parse(version.stdout) as { gitVersion?: string; name?: string };
    assert.match(answer.gitVersion ?? "", /^v1\./, "the cluster's version, not the broker's");
    assert.equal(answer.name, undefined);
    for (const path of ["/apis", "/livez", "/openapi/v3"]) {
      const raw = await kubectl.run(kubeconfigs.test!, ["get", "--raw", path]);
      assert.equal(raw.code, 0, `${path}: ${raw.stderr}`);
    }
    await waitForRecord(stack.redis, { cluster: "test", path: "/openapi/v3" });
  });

  it("kubectl proxy works without --append-server-path", async () => {
    const { status, pods, stderr } = await podsThroughKubectlProxy(kubectl, kubeconfigs.test!);
    assert.equal(status, 200);
    assert.ok(pods.includes("web-1"));
    assert.doesNotMatch(stderr, /append-server-path/);
  });

  it("refuses with a Status: no token is 401; a token for no cluster here is 404, naming the prefixed address", async () => {
    const bare = await fetch(`${stack.gatewayUrl}/api/v1/namespaces/team-a/pods`);
    assert.equal(bare.status, 401);
    assert.match(((await bare.json()) as { message: string }).message, /no bearer token/);

    const foreign = await fetch(`${stack.gatewayUrl}/api/v1/namespaces/team-a/pods`, {
      headers: { authorization: `Bearer ${session}` },
    });
    assert.equal(foreign.status, 404);
    const status = (await foreign.json()) as { kind: string; message: string };
    assert.equal(status.kind, "Status");
    assert.match(status.message, new RegExp(`use ${stack.url}/clusters/<cluster>`));
    assert.doesNotMatch(status.message, new RegExp(session), "the token is not echoed");
  });

  it("the /clusters/<name> address keeps working with the same token", async () => {
    const prefixed = await stack.gatewayKubeconfig("prefixed", tokens.test!, "team-a");
    const pods = await kubectl.run(prefixed, ["get", "pods", "-o", "name"]);
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /pod\/web-1/);
  });
});

/**
 * With server.gateway.domain, the host name chooses the cluster: https://<cluster>.<domain>,
 * whose name the certificate covers (*.<domain>) and kubectl sends as SNI and Host. Such names
 * resolve nowhere here, so kubectl goes through an HTTP CONNECT proxy (its kubeconfig's
 * proxy-url) that sends every <cluster>.<domain> to the listener, as DNS would.
 */
describe("the prefix-free gateway by host name", () => {
  const DOMAIN = "gw.test";
  let stack: Stack;
  let kubectl: KubectlSandbox;
  let proxy: Server;
  let proxyUrl: string;
  const tokens: Record<string, string> = {};

  before(async () => {
    stack = await startStack({ secondCluster: true, prefixFreeGateway: { domain: DOMAIN } });
    kubectl = await kubectlSandbox();
    const port = new URL(stack.gatewayUrl!).port;
    proxy = createServer().on("connect", (req: IncomingMessage, client: Duplex, head: Buffer) => {
      const [host] = (req.url ?? "").split(":");
      if (!host?.endsWith(`.${DOMAIN}`)) return void client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      const upstream = connect(Number(port), "127.0.0.1", () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(client).on("error", () => {});
        client.pipe(upstream).on("error", () => {});
      });
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    const session = await stack.login("dev");
    for (const cluster of ["test", "test-2"]) {
      tokens[cluster] = (
        await stack.credential(session, { cluster, role: "view", namespace: "team-a" })
      ).token;
    }
  });
  after(async () => {
    proxy?.closeAllConnections();
    proxy?.close();
    await kubectl?.cleanup();
    await stack?.close();
  });

  /** A kubeconfig for https://<host>:<the listener's port>, through the proxy. */
  const kubeconfigFor = async (host: string, token: string) => {
    const path = `${kubectl.dir}/${host}-${randomBytes(3).toString("hex")}.kubeconfig`;
    const server = `https://${host}:${new URL(stack.gatewayUrl!).port}`;
    const cluster = {
      server,
      "proxy-url": proxyUrl,
      "certificate-authority-data": Buffer.from(stack.caCert).toString("base64"),
    };
    await writeFile(
      path,
      stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "c", cluster }],
        users: [{ name: "u", user: { token } }],
        contexts: [{ name: "c", context: { cluster: "c", user: "u", namespace: "team-a" } }],
        "current-context": "c",
      }),
      { mode: 0o600 },
    );
    return path;
  };

  /** curl through the same proxy: the Status a refused request gets, as JSON. */
  const curlAt = async (host: string, token: string) => {
    const { stdout } = await promisify(execFile)("curl", [
      "-sS",
      "--proxy",
      proxyUrl,
      "--cacert",
      stack.caFile,
      "-H",
      `Authorization: Bearer ${token}`,
      `https://${host}:${new URL(stack.gatewayUrl!).port}/api/v1/namespaces/team-a/pods`,
    ]);
    return JSON.parse(stdout) as { code: number; message: string };
  };

  it("GET /v1/clusters names each cluster's own host", async () => {
    const { items } = (await (await fetch(`${stack.url}/v1/clusters`)).json()) as {
      items: { name: string; server: string }[];
    };
    const port = new URL(stack.gatewayUrl!).port;
    assert.deepEqual(
      items.map((i) => i.server),
      [`https://test.${DOMAIN}:${port}`, `https://test-2.${DOMAIN}:${port}`],
    );
  });

  it("kubectl reaches each cluster at its host; the host, not the token, decides", async () => {
    for (const cluster of ["test", "test-2"]) {
      const kubeconfig = await kubeconfigFor(`${cluster}.${DOMAIN}`, tokens[cluster]!);
      const pods = await kubectl.run(kubeconfig, ["get", "pods", "-o", "name"]);
      assert.equal(pods.code, 0, pods.stderr);
      assert.match(pods.stdout, /pod\/web-1/);
      const version = await kubectl.run(kubeconfig, ["get", "--raw", "/version"]);
      assert.match(version.stdout, /"gitVersion"/, version.stderr);
      await waitForRecord(stack.redis, { cluster, verb: "list", resource: "pods" });
    }
    // test's token at test-2's host: test-2's authenticator checks it against test-2's keys.
    const crossed = await curlAt(`test-2.${DOMAIN}`, tokens.test!);
    assert.equal(crossed.code, 401);
    assert.match(crossed.message, /does not verify against the cluster's keys/);
  });

  it("a host that names no cluster is a 404 Status", async () => {
    const unknown = await curlAt(`nope.${DOMAIN}`, tokens.test!);
    assert.equal(unknown.code, 404);
    assert.match(unknown.message, /no cluster is served at host "nope\.gw\.test"/);
  });
});
