import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { Agent, setGlobalDispatcher } from "undici";
import { parseConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/schema.ts";
import { type Broker, startBroker } from "../../src/server.ts";
import { createLogger, silentLogger } from "../../src/shared/logger.ts";
import { type OidcProviderHarness, startOidcProvider } from "../../tools/dev-idp/oidc-provider.ts";
import { freePort, freePorts } from "../../tools/free-port.ts";
import type { RedisHarness } from "../../tools/redis/redis-server.ts";
import { type StandIn, type StandInOptions, startStandIn } from "../../tools/stand-in/index.ts";
import { writeKubeconfigFile } from "../../tools/stand-in/kubeconfig.ts";
import { makeServerTls } from "../../tools/tls/server-tls.ts";
import { type CiIssuerHarness, startCiIssuer } from "./ci-issuer.ts";
import { JumpClock } from "./fakes/jump-clock.ts";
import { bearer, loginAs } from "./login.ts";
import { type RedisTopology, redisConfig, startTopology, type TopologyHarness } from "./redis-topology.ts";

/**
 * The whole product on loopback, as a person meets it: a private Redis, the Kubernetes API
 * stand-in (seeded with team-a, team-b and payments), the OIDC provider with its demo users,
 * optionally the CI issuer, and the broker itself started through the real composition root
 * with a config the test may adjust. One cluster, "test", brokered with the stand-in's admin
 * kubeconfig (and with `secondCluster`, "test-2" on a stand-in of its own). The broker serves HTTPS with its own throwaway CA (kubectl sends bearer tokens
 * only over TLS); this process's fetch is told to trust it.
 */
/** Developers may hold view and edit in team-* without approval (tests that need edit at once). */
export const STANDING_EDIT = () => ({
  policies: {
    standing: [{ subjects: { groups: ["developers"] }, roles: ["view", "edit"], namespaces: ["team-*"] }],
  },
});

export interface StackOptions<T extends RedisTopology = "single"> {
  /** The Redis the broker runs on (redis-topology.ts); one redis-server by default. */
  redis?: T;
  /** Config sections to replace or add (merged over the defaults below). */
  config?: (stack: {
    /** The broker's URL, known before it starts (a second IdP needs its callback). */
    url: string;
    /** The IdP the default config signs people in at. */
    idp: OidcProviderHarness;
    redis: TopologyHarness<T>;
    standIn: StandIn;
    ci?: CiIssuerHarness;
    dir: string;
  }) => Record<string, unknown> | Promise<Record<string, unknown>>;
  standIn?: StandInOptions;
  ci?: boolean;
  /** Broker a second cluster, "test-2", on a second stand-in seeded like the first. */
  secondCluster?: boolean;
  /** Show the broker's logs (LOG_LEVEL); silent by default. */
  logs?: boolean;
  /** Serve the web console from this directory instead of the build in dist/ui. */
  consoleDir?: string;
  /**
   * Open the prefix-free gateway listener (server.gateway) on a port of its own; with a
   * domain, clusters are chosen by host name there (<cluster>.<domain>, in the certificate).
   */
  prefixFreeGateway?: boolean | { domain: string };
}

export interface Stack<R = RedisHarness> {
  url: string;
  /** The prefix-free gateway listener's URL, with `prefixFreeGateway`. */
  gatewayUrl: string | undefined;
  /** PEM of the CA that signed the broker's certificate (and path to it). */
  caCert: string;
  caFile: string;
  dir: string;
  config: Config;
  redis: R;
  standIn: StandIn;
  /** The stand-in of cluster "test-2", when the stack has one. */
  standIn2: StandIn | undefined;
  idp: OidcProviderHarness;
  ci: CiIssuerHarness | undefined;
  broker: Broker;
  /** The broker's clock: real time, which a test may jump forward to reach a deadline. */
  clock: JumpClock;
  adminKubeconfig: string;
  login(user: string): Promise<string>;
  /** POST /v1/credentials; resolves to the parsed body, throws on a non-200 with the Status. */
  credential(
    session: string,
    ask: { cluster?: string; role: string; namespace?: string; ttl?: string },
  ): Promise<{ token: string; grant: { id: string; serviceAccount: string; expiresAt: string } }>;
  /** Writes a kubeconfig that reaches `cluster` (default "test") through the gateway with `token`. */
  gatewayKubeconfig(name: string, token: string, namespace?: string, cluster?: string): Promise<string>;
  restartBroker(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack<T extends RedisTopology = "single">(
  options: StackOptions<T> = {},
): Promise<Stack<TopologyHarness<T>>> {
  const dir = await mkdtemp(join(tmpdir(), "kb-stack-"));
  // What has started so far, stopped again if a later step fails: a half-started stack left
  // running keeps its test file's process alive long after the file has failed.
  const started: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const begun = <S extends { close(): Promise<unknown> }>(part: S): S => {
    started.push(() => part.close());
    return part;
  };
  try {
    return await assembleStack(options, dir, begun);
  } catch (error) {
    for (const stop of started.reverse()) await stop().catch(() => {});
    throw error;
  }
}

async function assembleStack<T extends RedisTopology>(
  options: StackOptions<T>,
  dir: string,
  begun: <S extends { close(): Promise<unknown> }>(part: S) => S,
): Promise<Stack<TopologyHarness<T>>> {
  const redis = begun(await startTopology<T>(options.redis ?? ("single" as T)));
  const seeded = async (kubeconfig: string) => {
    const started = begun(await startStandIn(options.standIn));
    await started.seedDemo();
    started.store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-broker-grants" } });
    await started.writeKubeconfig(kubeconfig);
    return started;
  };
  const adminKubeconfig = join(dir, "admin.kubeconfig");
  const standIn = await seeded(adminKubeconfig);
  const standIn2 = options.secondCluster ? await seeded(join(dir, "admin-2.kubeconfig")) : undefined;
  const ci = options.ci ? begun(await startCiIssuer()) : undefined;
  const [port, gatewayPort] = options.prefixFreeGateway ? await freePorts(2) : [await freePort()];
  const url = `https://127.0.0.1:${port}`;
  const domain = typeof options.prefixFreeGateway === "object" ? options.prefixFreeGateway.domain : undefined;
  const tls = await makeServerTls(domain ? [`*.${domain}`] : []);
  const certFile = join(dir, "broker.crt");
  const keyFile = join(dir, "broker.key");
  const caFile = join(dir, "broker-ca.crt");
  await writeFile(certFile, tls.cert);
  await writeFile(keyFile, tls.key, { mode: 0o600 });
  await writeFile(caFile, tls.caCert);
  const standInCas = [standIn.caCert, ...(standIn2 ? [standIn2.caCert] : [])];
  setGlobalDispatcher(new Agent({ connect: { ca: [...rootCertificates, tls.caCert, ...standInCas] } }));
  const idp = begun(await startOidcProvider({ redirectUris: [`${url}/v1/login/callback`] }));

  const gatewayUrl = gatewayPort ? `https://127.0.0.1:${gatewayPort}` : undefined;
  const base = {
    server: {
      listen: `127.0.0.1:${port}`,
      publicUrl: url,
      tls: { certFile, keyFile },
      caFile,
      ...(gatewayPort
        ? { gateway: { listen: `127.0.0.1:${gatewayPort}`, ...(domain ? { domain } : {}) } }
        : {}),
    },
    redis: redisConfig(redis),
    oidc: {
      issuer: idp.issuer,
      clientId: idp.web.clientId,
      clientSecretEnv: "KB_TEST_OIDC_SECRET",
      scopes: ["openid", "email", "profile", "groups", "offline_access"],
    },
    admins: { groups: ["platform-admins"] },
    clusters: [
      { name: "test", auth: { kind: "kubeconfig", file: adminKubeconfig }, tokenTtl: "10m" },
      ...(standIn2
        ? [
            {
              name: "test-2",
              auth: { kind: "kubeconfig", file: join(dir, "admin-2.kubeconfig") },
              tokenTtl: "10m",
            },
          ]
        : []),
    ],
    roles: [
      { name: "view", clusterRole: "view", maxTtl: "8h" },
      { name: "edit", clusterRole: "edit", maxTtl: "4h" },
    ],
    policies: {
      standing: [{ subjects: { groups: ["developers", "sre"] }, roles: ["view"], namespaces: ["team-*"] }],
      requests: [
        {
          subjects: { groups: ["developers"] },
          roles: ["edit"],
          namespaces: ["team-*", "payments"],
          maxDuration: "2h",
          approvers: { groups: ["sre"] },
        },
      ],
    },
    audit: { mode: "fail-closed", spool: { path: join(dir, "audit-spool.jsonl") } },
    limits: {
      rateLimits: { login: { perMinute: 1000 }, token: { perMinute: 1000 }, requests: { perMinute: 1000 } },
    },
  };
  const config = parseConfig({ ...base, ...(await options.config?.({ url, idp, redis, standIn, ci, dir })) });
  const env = { ...process.env, KB_TEST_OIDC_SECRET: idp.web.clientSecret };
  const logger = options.logs ? createLogger({ level: process.env.LOG_LEVEL ?? "debug" }) : silentLogger();
  const clock = new JumpClock();
  const brokerOptions = {
    logger,
    env,
    clock,
    ...(options.consoleDir ? { consoleDir: options.consoleDir } : {}),
  };
  let broker = await startBroker(config, brokerOptions);

  const stack: Stack<TopologyHarness<T>> = {
    url,
    gatewayUrl,
    caCert: tls.caCert,
    caFile,
    dir,
    config,
    redis,
    standIn,
    standIn2,
    idp,
    ci,
    get broker() {
      return broker;
    },
    clock,
    adminKubeconfig,
    login: (user) => loginAs(url, user),
    credential: async (session, ask) => {
      const res = await fetch(`${url}/v1/credentials`, {
        method: "POST",
        headers: bearer(session),
        body: JSON.stringify({ cluster: "test", ...ask }),
      });
      if (res.status !== 200) throw new Error(`credential: ${res.status} ${await res.text()}`);
      return (await res.json()) as {
        token: string;
        grant: { id: string; serviceAccount: string; expiresAt: string };
      };
    },
    gatewayKubeconfig: async (name, token, namespace, cluster = "test") => {
      const path = join(dir, `${name}.kubeconfig`);
      await writeKubeconfigFile(path, `${url}/clusters/${cluster}`, tls.caCert, token, {
        context: name,
        ...(namespace ? { namespace } : {}),
      });
      return path;
    },
    restartBroker: async () => {
      await broker.close();
      broker = await startBroker(config, brokerOptions);
    },
    close: async () => {
      await broker.close();
      await Promise.all([idp.close(), standIn.close(), standIn2?.close(), ci?.close(), redis.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return stack;
}
