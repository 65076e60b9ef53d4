/**
 * Child process: the upstream side of the benchmarks. It runs the test stack (private Redis,
 * the API stand-in, the OIDC provider and a broker used only to log in and hand out
 * credentials) plus the trivial fast upstream, brokered as a second cluster "fast". The broker
 * under measurement runs in a process of its own (broker-host.ts) on the same Redis.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { kubeconfigYaml } from "../../../tools/stand-in/kubeconfig.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { type BenchGrant, CLUSTERS, type ClusterName, CREATED_AT, type StackInfo } from "./bench-stack.ts";
import { startFastUpstream } from "./fast-upstream.ts";
import { serveParent } from "./ipc.ts";

let stack: Stack | undefined;
const fast = await startFastUpstream();

/** The config sections an exec benchmark adds (recording.ts): see execSections. */
interface StartOptions {
  exec?: boolean;
}

/**
 * One edit role that records (best-effort, as recording.default ships) and one that does not,
 * both standing for the bench user in team-*, so that one broker serves a recorded and an
 * unrecorded exec of the same kind turn about. The cap is raised past the 16Mi default so
 * that a whole 50 MiB session is recorded, not truncated: stdin and stdout are both in the
 * cast, so it holds some 101 MiB.
 */
function execSections() {
  return {
    roles: [
      { name: "view", clusterRole: "view", maxTtl: "8h" },
      { name: "edit", clusterRole: "edit", maxTtl: "4h", recording: "best-effort" },
      { name: "edit-unrecorded", clusterRole: "edit", maxTtl: "4h", recording: "off" },
    ],
    policies: {
      standing: [
        {
          subjects: { groups: ["developers"] },
          roles: ["view", "edit", "edit-unrecorded"],
          namespaces: ["team-*"],
        },
      ],
    },
    recording: { default: "off", maxSessionBytes: "128Mi" },
  };
}

async function start(options: StartOptions = {}): Promise<StackInfo> {
  stack = await startStack({
    config: ({ dir }) => {
      // The admin kubeconfig exists by now; "fast" is the same stand-in behind the fast upstream.
      const admin = parse(readFileSync(join(dir, "admin.kubeconfig"), "utf8"));
      const server = admin.clusters[0].cluster;
      fast.setStandIn({
        url: server.server,
        caCert: Buffer.from(server["certificate-authority-data"], "base64").toString(),
      });
      const fastFile = join(dir, "fast.kubeconfig");
      writeFileSync(fastFile, kubeconfigYaml(fast.url, fast.caCert, admin.users[0].user.token), {
        mode: 0o600,
      });
      return {
        clusters: [
          {
            name: "test",
            auth: { kind: "kubeconfig", file: join(dir, "admin.kubeconfig") },
            tokenTtl: "10m",
          },
          { name: "fast", auth: { kind: "kubeconfig", file: fastFile }, tokenTtl: "10m" },
        ],
        ...(options.exec ? execSections() : {}),
      };
    },
  });
  // Redis as deploy/ runs it (the test harness fsyncs every write, for its restart tests).
  await stack.redis.client().config("SET", "appendfsync", "everysec");
  // The stand-in logs every request for tests; a benchmark sends hundreds of thousands.
  const requests = stack.standIn.requests;
  setInterval(() => requests.splice(0), 1000).unref();

  const session = await stack.login("dev");
  const grants = {} as Record<ClusterName, BenchGrant>;
  const grantOf = async (cluster: ClusterName, role: string): Promise<BenchGrant> => {
    const { token, grant } = await stack!.credential(session, { cluster, role, namespace: "team-a" });
    const [namespace, name] = grant.serviceAccount.split("/");
    const apiToken = await stack!.standIn.issueToken(namespace!, name!, { expirationSeconds: 3600 });
    return { id: grant.id, token, apiToken };
  };
  for (const cluster of CLUSTERS) grants[cluster] = await grantOf(cluster, "view");
  const exec = options.exec
    ? { recorded: await grantOf("test", "edit"), unrecorded: await grantOf("test", "edit-unrecorded") }
    : undefined;
  const tls = stack.config.server.tls!;
  return {
    brokerUrl: stack.url,
    caCert: stack.caCert,
    tls: { certFile: tls.certFile, keyFile: tls.keyFile },
    config: stack.config,
    env: { KB_TEST_OIDC_SECRET: stack.idp.web.clientSecret },
    redis: { url: stack.redis.url, keyPrefix: stack.redis.keyPrefix },
    upstreams: { test: { url: stack.standIn.url, caCert: stack.standIn.caCert }, fast },
    grants,
    ...(exec ? { exec } : {}),
  };
}

interface PodBatch {
  prefix: string;
  count: number;
  perSecond: number;
  /** Stamp each with CREATED_AT (default true). */
  stamp?: boolean;
}

/** Creates `count` pods in team-a, `perSecond` of them a second. */
async function createPods({ prefix, count, perSecond, stamp = true }: PodBatch) {
  const store = stack!.standIn.store;
  const begin = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = begin + (i * 1000) / perSecond - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    store.create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: `${prefix}-${i}`,
        namespace: "team-a",
        ...(stamp
          ? { annotations: { [CREATED_AT]: String(performance.timeOrigin + performance.now()) } }
          : {}),
      },
      spec: { containers: [{ name: "app", image: "busybox:1.36" }] },
    });
  }
}

serveParent({
  start,
  createPods,
  /** The store's resourceVersion now: a watch from here sees only what happens next. */
  revision: () => stack!.standIn.store.revision,
  close: async () => {
    await stack?.close();
    await fast.close();
  },
});
