/**
 * `npm run demo`: kube-broker in a sandbox on loopback — a private Redis (or REDIS_URL), the
 * Kubernetes API stand-in with a few namespaces and pods (or, with --kubeconfig FILE, a real
 * cluster), the dev OIDC provider with demo users, and the broker with config/demo.yaml over
 * HTTPS. Writes DIR/kubeconfig, DIR/admin.kubeconfig and DIR/env (DIR is .demo unless --dir),
 * prints what to run next, and stops everything it started on Ctrl-C.
 */
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { applyEnvOverrides } from "../src/config/env-overrides.ts";
import { parseConfig } from "../src/config/load.ts";
import { startBroker } from "../src/server.ts";
import { randomSecret } from "../src/shared/ids.ts";
import { createLogger } from "../src/shared/logger.ts";
import { startOidcProvider } from "../tools/dev-idp/oidc-provider.ts";
import { freePorts } from "../tools/free-port.ts";
import { startRedis } from "../tools/redis/redis-server.ts";
import { startStandIn } from "../tools/stand-in/index.ts";
import { demoPods } from "../tools/stand-in/seed.ts";
import { makeServerTls } from "../tools/tls/server-tls.ts";
import { writeDemoFiles } from "./demo-files.ts";

const { values } = parseArgs({
  options: {
    dir: { type: "string", default: ".demo" },
    port: { type: "string", default: "8443" },
    /** The prefix-free gateway listener (server.gateway): 8444 beside the default port. */
    "gateway-port": { type: "string" },
    kubeconfig: { type: "string" },
  },
});
const dir = resolve(values.dir);
const [spare, spareForGateway] = await freePorts(2);
const port = Number(values.port) || spare!;
const gatewayPort = Number(values["gateway-port"]) || (port === 8443 ? 8444 : spareForGateway!);
await mkdir(dir, { recursive: true });
const stops: (() => Promise<unknown>)[] = [];

// Redis: a private redis-server unless REDIS_URL says otherwise; there, one fixed prefix, so
// a demo started again sees the grants and records of the last one.
const redis = await startRedis({ sharedKeyPrefix: "kb-demo:" });
stops.push(() => redis.close());

// The clusters: two stand-ins, each with its admin kubeconfig (demo: admin.kubeconfig), or
// the one real cluster given.
const raw = applyEnvOverrides(parse(await readFile("config/demo.yaml", "utf8")), process.env);
const configured = (raw.clusters as { name: string }[]).slice(0, values.kubeconfig ? 1 : undefined);
const adminKubeconfigs = configured.map((_, i) =>
  join(dir, i === 0 ? "admin.kubeconfig" : `admin-${configured[i]!.name}.kubeconfig`),
);
let heartbeat: NodeJS.Timeout | undefined;
if (values.kubeconfig) {
  await copyFile(values.kubeconfig, adminKubeconfigs[0]!);
} else {
  const standIns = await Promise.all(configured.map(() => startStandIn()));
  for (const [i, standIn] of standIns.entries()) {
    stops.push(() => standIn.close());
    await standIn.seedDemo();
    standIn.store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-broker-grants" } });
    await standIn.writeKubeconfig(adminKubeconfigs[i]!, { context: `${configured[i]!.name}-admin` });
  }
  let tick = 0;
  heartbeat = setInterval(() => {
    tick++;
    for (const [i, standIn] of standIns.entries()) {
      for (const pod of demoPods()) {
        standIn.appendPodLog(pod.namespace, pod.name, `heartbeat ${tick} from ${configured[i]!.name}`);
      }
    }
  }, 5000);
}

// TLS for the broker (kubectl sends tokens only over TLS) and the dev IdP.
const tls = await makeServerTls();
const caFile = join(dir, "tls", "ca.crt");
await mkdir(join(dir, "tls"), { recursive: true });
await writeFile(caFile, tls.caCert);
await writeFile(join(dir, "tls", "tls.crt"), tls.cert);
await writeFile(join(dir, "tls", "tls.key"), tls.key, { mode: 0o600 });
const brokerUrl = `https://127.0.0.1:${port}`;
const clientSecret = randomSecret();
const idp = await startOidcProvider({
  redirectUris: [`${brokerUrl}/v1/login/callback`],
  webClientSecret: clientSecret,
});
stops.push(() => idp.close());

const config = parseConfig({
  ...raw,
  server: {
    listen: `127.0.0.1:${port}`,
    publicUrl: brokerUrl,
    tls: { certFile: join(dir, "tls", "tls.crt"), keyFile: join(dir, "tls", "tls.key") },
    caFile,
    // kubeconfigs name this address: every path is the cluster's, chosen by the token's audience.
    gateway: { listen: `127.0.0.1:${gatewayPort}` },
  },
  redis: { url: redis.url, keyPrefix: redis.keyPrefix },
  oidc: { ...(raw.oidc as object), issuer: idp.issuer },
  clusters: configured.map((c, i) => ({ ...c, auth: { kind: "kubeconfig", file: adminKubeconfigs[i] } })),
  audit: { ...(raw.audit as object), spool: { path: join(dir, "audit-spool.jsonl") } },
});
const clusters = config.clusters.map((c) => c.name);
const cluster = clusters[0]!;
const logFile = join(dir, "broker.log");
const broker = await startBroker(config, {
  logger: createLogger({ file: logFile }),
  env: { ...process.env, KB_DEMO_OIDC_SECRET: clientSecret },
});
stops.unshift(() => broker.close());
const { envFile } = await writeDemoFiles({ dir, brokerUrl, caFile, clusters });

console.log(`kube-broker demo is running

  broker          ${brokerUrl}   (logs: ${logFile})
  gateway         ${broker.gatewayUrl}   (every cluster, no path prefix; /clusters/<name> on the broker works too)
  web console     ${brokerUrl}/ui/   (sign in as dev, approver or admin; trust ${caFile} or click through)
${clusters
  .map(
    (name, i) =>
      `  cluster         "${name}": ${values.kubeconfig ? values.kubeconfig : "a Kubernetes API stand-in"} (admin: KUBECONFIG=${adminKubeconfigs[i]})`,
  )
  .join("\n")}
  OIDC provider   ${idp.issuer}   users: dev (developers), approver (sre), admin; any password
  Redis           ${redis.url}

In another terminal:

  source ${envFile}
  kubectl broker login                          # sign in as "dev" in the browser (any password)
  kubectl --context ${cluster}-view get pods    # view is standing access: no approval needed${
    clusters[1] ? `\n  kubectl --context ${clusters[1]}-view get pods  # the second cluster, same login` : ""
  }
  kubectl broker request --cluster ${cluster} --role edit -n team-a --for 30m --reason "INC-1" --wait

Then, as the approver, in a third terminal:

  source ${envFile}; export KUBE_BROKER_CACHE_DIR=$(mktemp -d)   # a second person's cache
  kubectl broker login                          # sign in as "approver"
  kubectl broker requests --pending
  kubectl broker approve <id> --comment "ok"

Back as dev: kubectl --context ${cluster}-edit create configmap hello --from-literal=a=1
             kubectl broker grants; kubectl broker revoke <grant-id>
Anyone:      kubectl broker audit tail    (admins see everything; others their own records)
             kubectl broker alerts        (what the alert rules saw; -w to follow)

Press Ctrl-C to stop everything.`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  clearInterval(heartbeat);
  for (const s of stops) await s().catch(() => {});
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
