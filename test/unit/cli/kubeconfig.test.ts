import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { ciCredentialOf, withCa } from "../../../src/cli/ci/ci-kubeconfig.ts";
import { execUser } from "../../../src/cli/kubeconfig/exec-user.ts";
import { kubeconfigPath } from "../../../src/cli/kubeconfig/kubeconfig-file.ts";
import { type KubeconfigEntries, mergeKubeconfig } from "../../../src/cli/kubeconfig/merge.ts";

const OURS: KubeconfigEntries = {
  cluster: { name: "broker-prod", cluster: { server: "https://kb.example/clusters/prod" } },
  user: { name: "broker-prod-view", user: { exec: { command: "kubectl-broker" } } },
  context: { name: "broker-prod-view", context: { cluster: "broker-prod", user: "broker-prod-view" } },
};

const EXISTING = `# my clusters, do not lose this comment
apiVersion: v1
kind: Config
clusters:
  - name: kind
    cluster:
      server: https://127.0.0.1:6443 # the local one
users:
  - name: kind-admin
    user:
      client-certificate-data: AAAA
contexts:
  - name: kind
    context:
      cluster: kind
      user: kind-admin
current-context: kind
preferences: {}
`;

describe("kubeconfig merge", () => {
  it("adds our entries and leaves every other entry, and the comments, as they were", () => {
    const text = mergeKubeconfig(EXISTING, OURS, { makeCurrent: false });
    const config = parse(text);
    assert.deepEqual(
      config.clusters.map((c: { name: string }) => c.name),
      ["kind", "broker-prod"],
    );
    assert.deepEqual(config.users[0], { name: "kind-admin", user: { "client-certificate-data": "AAAA" } });
    assert.deepEqual(
      config.contexts.map((c: { name: string }) => c.name),
      ["kind", "broker-prod-view"],
    );
    assert.equal(config["current-context"], "kind");
    assert.match(text, /# my clusters, do not lose this comment/);
    assert.match(text, /server: https:\/\/127\.0\.0\.1:6443 # the local one/);
  });

  it("replaces its own entries by name when run again, and can make its context current", () => {
    const once = mergeKubeconfig(EXISTING, OURS, { makeCurrent: true });
    const moved = {
      ...OURS,
      cluster: { name: "broker-prod", cluster: { server: "https://kb2.example/clusters/prod" } },
    };
    const config = parse(mergeKubeconfig(once, moved, { makeCurrent: true }));
    assert.equal(config.clusters.length, 2);
    assert.equal(config.clusters[1].cluster.server, "https://kb2.example/clusters/prod");
    assert.equal(config.users.length, 2);
    assert.equal(config["current-context"], "broker-prod-view");
  });

  it("starts a kubeconfig from nothing, or from one kubectl left with empty lists", () => {
    for (const start of [
      "",
      "# nothing yet\n",
      "apiVersion: v1\nkind: Config\nclusters: null\nusers: null\ncontexts: null\n",
    ]) {
      const config = parse(mergeKubeconfig(start, OURS, { makeCurrent: false }));
      assert.equal(config.apiVersion, "v1");
      assert.equal(config.kind, "Config");
      assert.equal(config.clusters[0].name, "broker-prod");
      assert.equal(
        config["current-context"],
        "broker-prod-view",
        "an empty kubeconfig gets a current context",
      );
    }
  });

  it("changes nothing in a file it cannot understand", () => {
    assert.throws(
      () => mergeKubeconfig("clusters: [unclosed\n", OURS, { makeCurrent: false }),
      /not valid YAML.*nothing was changed/,
    );
    assert.throws(() => mergeKubeconfig("- a list\n", OURS, { makeCurrent: false }), /not a YAML mapping/);
    assert.throws(
      () => mergeKubeconfig("clusters: {a: 1}\n", OURS, { makeCurrent: false }),
      /clusters is not a list/,
    );
  });

  it("picks --file, then KUBECONFIG's first file, then ~/.kube/config", () => {
    assert.equal(kubeconfigPath("/f", { KUBECONFIG: "/a:/b" }, "/home/u"), "/f");
    assert.equal(kubeconfigPath(undefined, { KUBECONFIG: ":/a:/b" }, "/home/u"), "/a");
    assert.equal(kubeconfigPath(undefined, {}, "/home/u"), "/home/u/.kube/config");
  });
});

describe("the exec user", () => {
  const input = {
    server: "https://kb.example",
    cluster: "prod",
    role: "view",
    namespaces: ["payments"],
    execCommand: undefined,
    self: { node: "/opt/node24/bin/node", script: "/opt/kb/dist/kubectl-broker.js" },
  };

  it("runs this Node with this script by absolute path, v1, IfAvailable, with cluster info", () => {
    const { exec } = execUser(input) as { exec: Record<string, unknown> };
    assert.equal(exec.apiVersion, "client.authentication.k8s.io/v1");
    assert.equal(exec.command, "/opt/node24/bin/node");
    assert.deepEqual(exec.args, [
      "/opt/kb/dist/kubectl-broker.js",
      "credential",
      "--server",
      "https://kb.example",
      "--cluster",
      "prod",
      "--role",
      "view",
      "--namespace",
      "payments",
    ]);
    assert.equal(exec.interactiveMode, "IfAvailable");
    assert.equal(exec.provideClusterInfo, true);
    assert.match(exec.installHint as string, /npm install -g kube-broker/);
  });

  it("runs a named command instead, for kubeconfigs shared between machines", () => {
    const { exec } = execUser({ ...input, namespaces: [], execCommand: "kubectl-broker" }) as {
      exec: { command: string; args: string[] };
    };
    assert.equal(exec.command, "kubectl-broker");
    assert.deepEqual(exec.args.slice(0, 1), ["credential"]);
    assert.ok(!exec.args.includes("--namespace"));
  });

  it("repeats --namespace for a context that reaches several namespaces", () => {
    const { exec } = execUser({ ...input, namespaces: ["team-b", "team-a"] }) as { exec: { args: string[] } };
    assert.deepEqual(exec.args.slice(-4), ["--namespace", "team-b", "--namespace", "team-a"]);
  });
});

describe("a CI job's kubeconfig", () => {
  const kubeconfig = `apiVersion: v1
kind: Config
clusters:
  - name: prod
    cluster:
      server: https://kb.example/base/clusters/prod
users:
  - name: kube-broker-ci-prod
    user:
      token: the-grant-token
contexts:
  - name: prod
    context:
      cluster: prod
      user: kube-broker-ci-prod
current-context: prod
`;

  it("gives back the broker, the cluster and the grant's token for revoke --self", () => {
    assert.deepEqual(ciCredentialOf(kubeconfig, "k"), {
      server: "https://kb.example/base",
      cluster: "prod",
      token: "the-grant-token",
      caData: undefined,
    });
    assert.throws(
      () => ciCredentialOf("", "/ci/kubeconfig"),
      /\/ci\/kubeconfig holds no kube-broker CI credential/,
    );
  });

  it("gains the CA the CLI was told to trust when the broker sent none", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const withIt = ciCredentialOf(withCa(kubeconfig, pem), "k");
    assert.equal(Buffer.from(withIt.caData!, "base64").toString(), pem);
    assert.equal(withCa(kubeconfig, undefined), kubeconfig);
  });
});
