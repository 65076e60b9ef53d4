import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Agent } from "node:https";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { after, describe, it } from "node:test";
import { connectCluster } from "../../../src/cluster/connect-cluster.ts";
import type { ClusterConfig } from "../../../src/config/schema.ts";
import { testConfig } from "../../support/fakes/test-config.ts";

const dir = mkdtempSync(join(tmpdir(), "kb-connect-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const b64 = (text: string) => Buffer.from(text).toString("base64");

function cluster(extra: Record<string, unknown>): ClusterConfig {
  return testConfig({ clusters: [{ name: "prod", ...extra }] }).clusters[0]!;
}

function kubeconfig(name: string, body: string): string {
  const file = join(dir, name);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, body);
  return file;
}

async function sent(connection: ReturnType<typeof connectCluster>) {
  const { headers, agent } = await connection.requestOptions({ accept: "application/json" });
  return { headers, tls: (agent as Agent & { options: Record<string, unknown> }).options };
}

const twoContexts = `
apiVersion: v1
kind: Config
current-context: main
clusters:
- name: main-cluster
  cluster:
    server: https://main.example:6443
    certificate-authority: certs/ca.pem
- name: other-cluster
  cluster:
    server: https://other.example:443
    insecure-skip-tls-verify: true
    tls-server-name: api.other.internal
users:
- name: robot
  user:
    token: main-token
- name: certified
  user:
    client-certificate-data: ${b64("CERT")}
    client-key-data: ${b64("KEY")}
contexts:
- name: main
  context: {cluster: main-cluster, user: robot}
- name: other
  context: {cluster: other-cluster, user: certified}
`;

describe("connecting to a cluster as configured", () => {
  const file = kubeconfig("two/config", twoContexts);
  kubeconfig("two/certs/ca.pem", CA);

  it("takes a kubeconfig's current context: its server, its CA (relative to the file) and its token", async () => {
    const connection = connectCluster(cluster({ auth: { kind: "kubeconfig", file } }));
    assert.equal(connection.server.href, "https://main.example:6443/");
    assert.equal(connection.trust.ca?.toString(), CA);
    assert.equal(connection.trust.rejectUnauthorized, true);
    const { headers } = await sent(connection);
    assert.equal(headers.authorization, "Bearer main-token");
    assert.equal(headers.accept, "application/json");
    connection.close();
  });

  it("takes the context named, with a client certificate and the server's TLS name", async () => {
    const connection = connectCluster(cluster({ auth: { kind: "kubeconfig", file, context: "other" } }));
    assert.equal(connection.server.host, "other.example");
    assert.equal(connection.trust.rejectUnauthorized, false);
    const { headers, tls } = await sent(connection);
    assert.equal(headers.authorization, undefined);
    assert.equal(String(tls.cert), "CERT");
    assert.equal(String(tls.key), "KEY");
    assert.equal(tls.servername, "api.other.internal");
    connection.close();
  });

  it("lets the config's server and CA override the kubeconfig's", () => {
    const connection = connectCluster(
      cluster({
        auth: { kind: "kubeconfig", file },
        server: "https://override.example",
        caData: b64("OTHER CA"),
      }),
    );
    assert.equal(connection.server.host, "override.example");
    assert.equal(connection.trust.ca?.toString(), "OTHER CA");
  });

  it("merges $KUBECONFIG's files as kubectl does: the first to name a context wins", async () => {
    const first = kubeconfig(
      "merge/first",
      `current-context: main
contexts:
- name: main
  context: {cluster: main-cluster, user: robot}
users:
- name: robot
  user: {tokenFile: robot.token}
`,
    );
    writeFileSync(join(dir, "merge/robot.token"), "from-file\n");
    const env = { KUBECONFIG: [join(dir, "missing"), first, file].join(delimiter) };
    const connection = connectCluster(cluster({ auth: { kind: "kubeconfig" } }), env);
    assert.equal(connection.server.hostname, "main.example");
    assert.equal((await sent(connection)).headers.authorization, "Bearer from-file");
    connection.close();
  });

  it("runs an exec credential plugin through client-node, only for such a user", async () => {
    const plugin = join(dir, "exec/plugin.sh");
    mkdirSync(join(dir, "exec"), { recursive: true });
    writeFileSync(
      plugin,
      `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token"}}'\n`,
    );
    chmodSync(plugin, 0o755);
    const execFile = kubeconfig(
      "exec/config",
      `current-context: c
clusters: [{name: k, cluster: {server: "https://exec.example"}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
users:
- name: u
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: ${plugin}, interactiveMode: Never}
`,
    );
    const connection = connectCluster(cluster({ auth: { kind: "kubeconfig", file: execFile } }));
    assert.equal((await sent(connection)).headers.authorization, "Bearer exec-token");
    connection.close();
  });

  it("reads a token from the environment with the configured server", async () => {
    const connection = connectCluster(
      cluster({
        server: "https://api.example",
        caData: b64(CA),
        auth: { kind: "token", tokenEnv: "PROD_TOKEN" },
      }),
      { PROD_TOKEN: " env-token\n" },
    );
    assert.equal((await sent(connection)).headers.authorization, "Bearer env-token");
    assert.equal(connection.trust.ca?.toString(), CA);
    connection.close();
  });

  it("says what is missing: an unset token variable, an unknown context, in-cluster outside a pod", () => {
    assert.throws(
      () =>
        connectCluster(
          cluster({ server: "https://api.example", auth: { kind: "token", tokenEnv: "NOPE" } }),
          {},
        ),
      /environment variable NOPE \(the cluster token\) is not set/,
    );
    assert.throws(
      () => connectCluster(cluster({ auth: { kind: "kubeconfig", file, context: "staging" } })),
      /no context "staging"/,
    );
    assert.throws(
      () => connectCluster(cluster({ auth: { kind: "in-cluster" } }), {}),
      /in-cluster auth needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT/,
    );
  });

  it("names the cluster and the file when a kubeconfig is missing, not YAML, or names a missing CA", () => {
    const missing = join(dir, "nowhere", "config");
    assert.throws(
      () => connectCluster(cluster({ auth: { kind: "kubeconfig", file: missing } })),
      (err: Error) => err.message.startsWith(`cluster "prod": kubeconfig ${missing}: ENOENT`),
    );
    const list = kubeconfig("bad/list", "- just\n- a list\n");
    assert.throws(
      () => connectCluster(cluster({ auth: { kind: "kubeconfig", file: list } })),
      new RegExp(`^Error: cluster "prod": kubeconfig ${list}: not a kubeconfig`),
    );
    const broken = kubeconfig("bad/broken", "clusters: [\n");
    assert.throws(
      () => connectCluster(cluster({ auth: { kind: "kubeconfig", file: broken } })),
      (err: Error) =>
        err.message.startsWith(`cluster "prod": kubeconfig ${broken}: `) && !err.message.includes("\n"),
    );
    const noCa = kubeconfig(
      "bad/no-ca",
      `current-context: c
clusters: [{name: k, cluster: {server: "https://a.example", certificate-authority: gone.pem}}]
contexts: [{name: c, context: {cluster: k}}]
`,
    );
    assert.throws(
      () => connectCluster(cluster({ auth: { kind: "kubeconfig", file: noCa } })),
      /^Error: cluster "prod": ENOENT: no such file or directory, open '.*gone\.pem'/,
    );
  });

  it("in a pod: the service's address from the environment", () => {
    const connection = connectCluster(cluster({ auth: { kind: "in-cluster" } }), {
      KUBERNETES_SERVICE_HOST: "fd00::1",
      KUBERNETES_SERVICE_PORT: "443",
    });
    assert.equal(connection.server.href, "https://[fd00::1]/");
  });
});
