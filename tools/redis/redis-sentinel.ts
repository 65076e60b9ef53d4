import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis, type RedisOptions } from "ioredis";
import { freePorts } from "../free-port.ts";
import { clearPrefix, ProcessSlots, pollUntil, withNode } from "./redis-process.ts";

/**
 * A private Redis with Sentinel for one test file: a master, a replica, and three
 * sentinels (quorum 2) watching them, all real processes on loopback. Sentinels call a
 * master down after 1 s of silence, so killMaster() sees the replica promoted in seconds.
 */
export interface RedisSentinelHarness {
  /** In the shape of the config's `redis.sentinels` and `redis.sentinelMaster`. */
  sentinels: { host: string; port: number }[];
  masterName: string;
  /** Ports of the two data nodes; index 0 starts as master. */
  ports: number[];
  keyPrefix: string;
  /** A new ioredis client that follows the master through the sentinels, closed by close(). */
  client(options?: RedisOptions): Redis;
  clear(): Promise<void>;
  /** Index (into `ports`) of the node the sentinels call master now. */
  master(): Promise<number>;
  /**
   * SIGKILLs the master and resolves once every sentinel names the replica as master and
   * the replica says so itself; `ms` is how long that took.
   */
  killMaster(): Promise<{ killed: number; promoted: number; ms: number }>;
  /**
   * SIGSTOPs the master (it hangs with its connections open, as in a network partition),
   * waits for the replica's promotion, then lets the old master run again and waits until
   * the sentinels have turned it into a synced replica; `ms` is still the promotion's time.
   */
  stallMaster(): Promise<{ killed: number; promoted: number; ms: number }>;
  stopNode(index: number): Promise<void>;
  /** Starts a stopped data node again; the sentinels turn it into a replica of the master. */
  startNode(index: number): Promise<void>;
  pause(index: number): void;
  resume(index: number): void;
  close(): Promise<void>;
}

const host = "127.0.0.1";
const masterName = "kbmaster";

export async function startRedisSentinel(): Promise<RedisSentinelHarness> {
  const dir = await mkdtemp(join(tmpdir(), "kb-redis-sentinel-"));
  const picked = await freePorts(5);
  const ports = picked.slice(0, 2);
  const sentinelPorts = picked.slice(2);
  const nodes = new ProcessSlots(2);
  const sentinelProcs = new ProcessSlots(3);

  const startNode = async (i: number, replicaOf?: number) => {
    if (nodes.has(i)) return;
    const nodeDir = join(dir, `node-${i}`);
    await mkdir(nodeDir, { recursive: true });
    const args = ["--port", String(ports[i]), "--bind", host, "--dir", nodeDir, "--save", ""];
    args.push("--appendonly", "no", "--repl-diskless-sync-delay", "0");
    if (replicaOf !== undefined) args.push("--replicaof", host, String(ports[replicaOf]));
    await nodes.start(i, "redis-server", args, ports[i]!);
  };
  const stopNode = (i: number) => nodes.stop(i);
  const closeAll = async () => {
    await Promise.all([nodes.stopAll(), sentinelProcs.stopAll()]);
    await rm(dir, { recursive: true, force: true });
  };

  /** What one sentinel knows of the master: its port, replicas and fellow sentinels. */
  const view = (port: number) =>
    withNode(port, async (sentinel) => {
      const flat = (await sentinel.call("SENTINEL", "MASTER", masterName)) as string[];
      const fields = new Map<string, string>();
      for (let f = 0; f < flat.length; f += 2) fields.set(flat[f]!, flat[f + 1]!);
      return {
        port: Number(fields.get("port")),
        replicas: Number(fields.get("num-slaves")),
        sentinels: Number(fields.get("num-other-sentinels")) + 1,
        flags: fields.get("flags") ?? "",
      };
    });
  const replicaInSync = (i: number) =>
    withNode(ports[i]!, async (node) => /master_link_status:up/.test(await node.info("replication")));

  try {
    await startNode(0);
    await startNode(1, 0);
    await pollUntil("the replica did not sync", 10_000, async () =>
      (await replicaInSync(1)) ? true : undefined,
    );
    // Sentinels start after the replica is in sync, so their first look at the master finds it.
    for (const [s, port] of sentinelPorts.entries()) {
      const file = join(dir, `sentinel-${s}.conf`);
      await writeFile(
        file,
        [
          `port ${port}`,
          `bind ${host}`,
          `dir ${dir}`,
          `sentinel monitor ${masterName} ${host} ${ports[0]} 2`,
          `sentinel down-after-milliseconds ${masterName} 1000`,
          `sentinel failover-timeout ${masterName} 2000`,
          `sentinel parallel-syncs ${masterName} 1`,
          "",
        ].join("\n"),
      );
      await sentinelProcs.start(s, "redis-sentinel", [file], port);
    }
    // Failover needs the sentinels to know each other (they meet through the master).
    await pollUntil("the sentinels did not find each other and the replica", 15_000, async () => {
      const views = await Promise.all(sentinelPorts.map(view));
      return views.every((v) => v.sentinels === 3 && v.replicas === 1) ? true : undefined;
    });
  } catch (err) {
    await closeAll();
    throw err;
  }

  const sentinels = sentinelPorts.map((port) => ({ host, port }));
  const clients = new Set<Redis>();
  const master = async () => ports.indexOf((await view(sentinelPorts[0]!)).port);
  const keyPrefix = "kb:";

  return {
    sentinels,
    masterName,
    ports,
    keyPrefix,
    client: (options = {}) => {
      const client = new Redis({ sentinels, name: masterName, ...options });
      client.on("error", () => {});
      clients.add(client);
      return client;
    },
    clear: async () => clearPrefix(ports[await master()]!, keyPrefix),
    master,
    killMaster: () => failover((i) => stopNode(i)),
    stallMaster: async () => {
      const result = await failover(async (i) => {
        nodes.signal(i, "SIGSTOP");
      });
      nodes.signal(result.killed, "SIGCONT");
      // Whole again only once the sentinels have made it a replica and it has synced.
      await pollUntil("the old master did not rejoin as a replica", 30_000, async () =>
        (await replicaInSync(result.killed)) ? true : undefined,
      );
      return result;
    },
    stopNode,
    startNode: async (i) => {
      await startNode(i);
      // The sentinels reconfigure a returning old master as a replica of the new one.
      await pollUntil("the node did not rejoin as a replica", 30_000, async () =>
        (await replicaInSync(i)) ? true : undefined,
      );
    },
    pause: (i) => nodes.signal(i, "SIGSTOP"),
    resume: (i) => nodes.signal(i, "SIGCONT"),
    close: async () => {
      for (const client of clients) client.disconnect();
      clients.clear();
      await closeAll();
    },
  };

  /** Takes the master away by `how`, then waits until the sentinels have promoted the replica. */
  async function failover(how: (index: number) => Promise<void>) {
    const killed = await master();
    const promoted = 1 - killed;
    const started = performance.now();
    await how(killed);
    await pollUntil("the sentinels did not promote the replica", 30_000, async () => {
      const views = await Promise.all(sentinelPorts.map(view));
      if (!views.every((v) => v.port === ports[promoted])) return undefined;
      const role = await withNode(ports[promoted]!, (node) => node.info("replication"));
      return /role:master/.test(role) ? true : undefined;
    });
    return { killed, promoted, ms: Math.round(performance.now() - started) };
  }
}
