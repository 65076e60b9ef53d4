import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { freePort } from "../../../tools/free-port.ts";
import { freshCliBundle } from "../../support/cli-bundle.ts";

const SERVER_BIN = join(import.meta.dirname, "../../../dist/kube-broker.js");

/** One `kube-broker serve` process of the set, restartable on the same port and config. */
export interface Replica {
  name: string;
  url: string;
  /** The "listener drained" log lines' figures, one per graceful stop. */
  drains: { ms: number; streams: number; cut: number }[];
  start(): Promise<void>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: the process dies between any two steps, as in a crash. */
  kill(): Promise<void>;
}

/**
 * Three (or n) broker processes from the built bin, each with its own port and the config
 * `configFor` gives it, started the way a deployment starts them.
 */
export async function startReplicas(options: {
  dir: string;
  count: number;
  env: NodeJS.ProcessEnv;
  configFor(listen: string): Record<string, unknown>;
}): Promise<Replica[]> {
  freshCliBundle(); // builds dist/ (both bins) when a source is newer
  return Promise.all(
    Array.from({ length: options.count }, async (_, i) => {
      const port = await freePort();
      const file = join(options.dir, `broker-${i + 1}.json`);
      await writeFile(file, JSON.stringify(options.configFor(`127.0.0.1:${port}`)));
      const replica = brokerProcess(`b${i + 1}`, port, file, options.env);
      await replica.start();
      return replica;
    }),
  );
}

function brokerProcess(name: string, port: number, configFile: string, env: NodeJS.ProcessEnv): Replica {
  let child: ChildProcess | undefined;
  const replica: Replica = {
    name,
    url: `https://127.0.0.1:${port}`,
    drains: [],
    start: async () => {
      const proc = spawn(process.execPath, [SERVER_BIN, "serve", "--config", configFile], {
        env: { ...env, LOG_LEVEL: "info" },
        stdio: ["ignore", "pipe", "inherit"],
      });
      child = proc;
      let buffered = "";
      proc.stdout!.on("data", (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split("\n");
        buffered = lines.pop()!;
        for (const line of lines) {
          if (/"level":(40|50|60)/.test(line)) process.stderr.write(`${name}: ${line}\n`);
          if (!line.includes('"listener drained"')) continue;
          const { ms, streams, cut } = JSON.parse(line) as Replica["drains"][number];
          replica.drains.push({ ms, streams, cut });
        }
      });
      await waitUntil(async () => {
        if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode}`);
        return (await fetch(`${replica.url}/readyz`).catch(() => undefined))?.status === 200;
      }, 20_000);
    },
    kill: async () => {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGKILL");
      await once(proc, "exit");
    },
    stop: async () => {
      const proc = child;
      // A killed process has no exit code but a signal; it is stopped already.
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return proc?.exitCode ?? null;
      proc.kill("SIGTERM");
      const [code] = (await once(proc, "exit")) as [number | null];
      return code;
    },
  };
  return replica;
}

export interface Balancer {
  url: string;
  /** HAProxy's per-server counters: status (UP/DOWN), retries, redispatches. */
  stats(): Promise<Map<string, { status: string; retries: number; redispatches: number; sessions: number }>>;
  close(): Promise<void>;
}

/**
 * HAProxy in front, as a deployment would run it: it terminates the clients' TLS (so it can
 * balance, check and retry per request) and re-encrypts to the replicas, verifying their
 * certificate; /readyz is the health check, a failed connection is retried on another
 * replica, and streams may stay open as long as their grant (timeout tunnel/server).
 */
export async function startHaproxy(options: {
  port: number;
  dir: string;
  replicas: Replica[];
  /** PEM: certificate, then key, for the frontend. */
  frontendPem: string;
  caFile: string;
}): Promise<Balancer> {
  const port = options.port;
  const pem = join(options.dir, "haproxy.pem");
  const socket = join(options.dir, "haproxy.sock");
  await writeFile(pem, options.frontendPem, { mode: 0o600 });
  const config = join(options.dir, "haproxy.cfg");
  await writeFile(
    config,
    haproxyConfig({ port, pem, socket, caFile: options.caFile, replicas: options.replicas }),
  );
  const proc = spawn("/usr/sbin/haproxy", ["-db", "-f", config], { stdio: ["ignore", "inherit", "inherit"] });
  const balancer: Balancer = {
    url: `https://127.0.0.1:${port}`,
    stats: async () => {
      const csv = await haproxyCommand(socket, "show stat\n");
      const [header, ...rows] = csv.trim().split("\n");
      const columns = header!.replace(/^# /, "").split(",");
      const at = (row: string[], name: string) => row[columns.indexOf(name)] ?? "";
      const result = new Map();
      for (const row of rows.map((line) => line.split(","))) {
        if (at(row, "pxname") !== "brokers" || !/^b\d+$/.test(at(row, "svname"))) continue;
        result.set(at(row, "svname"), {
          status: at(row, "status"),
          retries: Number(at(row, "wretr")),
          redispatches: Number(at(row, "wredis")),
          sessions: Number(at(row, "stot")),
        });
      }
      return result;
    },
    close: async () => {
      if (proc.exitCode === null) {
        proc.kill("SIGTERM");
        await once(proc, "exit");
      }
    },
  };
  await waitUntil(async () => {
    const stats = await balancer.stats().catch(() => undefined);
    return !!stats && [...stats.values()].every((s) => s.status === "UP");
  }, 10_000);
  return balancer;
}

function haproxyConfig(o: {
  port: number;
  pem: string;
  socket: string;
  caFile: string;
  replicas: Replica[];
}) {
  return `global
  stats socket ${o.socket} mode 600 level admin
  maxconn 2000

defaults
  mode http
  option httplog
  timeout connect 2s
  timeout client 1h
  timeout server 1h
  timeout tunnel 1h
  timeout http-request 10s
  timeout queue 5s
  # A replica that refuses the connection (stopping, or gone) or closes a reused one without
  # answering: try another; never retry an answer the broker started.
  retries 3
  retry-on conn-failure empty-response
  option redispatch 1

frontend kube-broker
  bind 127.0.0.1:${o.port} ssl crt ${o.pem}
  option forwardfor
  default_backend brokers

backend brokers
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  # Two failed checks mark a replica down: one slow /readyz on a busy machine must not take
  # every replica out at once (HAProxy then answers 503 itself). A stopping replica refuses
  # connections meanwhile, which the retries above send elsewhere.
  timeout check 3s
  default-server ssl verify required ca-file ${o.caFile} check inter 500ms fall 2 rise 2
${o.replicas.map((r) => `  server ${r.name} ${new URL(r.url).host}`).join("\n")}
`;
}

function haproxyCommand(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const conn = connect(socket, () => conn.end(command));
    conn.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    conn.on("end", () => resolve(out));
    conn.on("error", reject);
  });
}

export async function waitUntil(
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
