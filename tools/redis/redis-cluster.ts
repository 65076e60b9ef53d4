import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Cluster, type ClusterOptions } from "ioredis";
import { freePorts } from "../free-port.ts";
import { clearPrefix, ProcessSlots, pollUntil, withNode } from "./redis-process.ts";

/**
 * A private Redis Cluster for one test file: real `redis-server --cluster-enabled yes`
 * nodes on loopback, each with its own directory and nodes.conf, joined by
 * `redis-cli --cluster create`. The node timeout is short (1 s) so a replica takes over a
 * killed master within a few seconds, which is what failover tests need to see.
 */
export interface RedisClusterHarness {
  /** Where to reach the cluster, in the shape of the config's `redis.cluster`. */
  seeds: { host: string; port: number }[];
  /** Every node's port, masters first as created; a node keeps its index when its role changes. */
  ports: number[];
  keyPrefix: string;
  /** A new ioredis Cluster client, closed by close(). */
  client(options?: ClusterOptions): Cluster;
  /** Deletes every key under keyPrefix on every master. */
  clear(): Promise<void>;
  /** Indexes (into `ports`) of the nodes that are masters now, in slot order. */
  masters(): Promise<number[]>;
  /** Index (into `ports`) of the master that serves `key` now. */
  masterOf(key: string): Promise<number>;
  /**
   * SIGKILLs a master (the one serving the i-th slot range in slot order, or `key`) and
   * resolves once a replica has taken its slots and the cluster is ok again; `ms` is how
   * long that took.
   */
  killMaster(which?: number | string): Promise<{ killed: number; promoted: number; ms: number }>;
  /**
   * SIGSTOPs a master (it hangs with its connections open, as in a network partition) until
   * a replica has taken over, then lets it run again: it rejoins as a replica of its successor.
   */
  stallMaster(which?: number | string): Promise<{ killed: number; promoted: number; ms: number }>;
  /** SIGKILLs a node (by index); startNode brings it back with its nodes.conf (as a replica). */
  stopNode(index: number): Promise<void>;
  startNode(index: number): Promise<void>;
  /** SIGSTOP / SIGCONT: a node that hangs without closing its connections. */
  pause(index: number): void;
  resume(index: number): void;
  /** Resolves once every running node says cluster_state:ok with all slots served. */
  waitHealthy(ms?: number): Promise<void>;
  close(): Promise<void>;
}

export interface StartRedisClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  /** cluster-node-timeout: how long before a silent master is failed over. */
  nodeTimeoutMs?: number;
}

const run = promisify(execFile);
const host = "127.0.0.1";

export async function startRedisCluster(
  options: StartRedisClusterOptions = {},
): Promise<RedisClusterHarness> {
  const { masters = 3, replicasPerMaster = 1, nodeTimeoutMs = 1000 } = options;
  const dir = await mkdtemp(join(tmpdir(), "kb-redis-cluster-"));
  const count = masters * (1 + replicasPerMaster);
  // Each node needs a bus port too; the default (port + 10000) may be past 65535.
  const picked = await freePorts(2 * count);
  const ports = picked.slice(0, count);
  const busPorts = picked.slice(count);
  const procs = new ProcessSlots(count);

  const startNode = async (i: number) => {
    if (procs.has(i)) return;
    const nodeDir = join(dir, `node-${i}`);
    await mkdir(nodeDir, { recursive: true });
    const args = ["--port", String(ports[i]), "--bind", host, "--dir", nodeDir, "--save", ""];
    args.push("--appendonly", "no", "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf");
    args.push("--cluster-port", String(busPorts[i]), "--cluster-node-timeout", String(nodeTimeoutMs));
    // A replica may take over however stale its copy (tests kill masters on purpose).
    args.push("--cluster-replica-validity-factor", "0");
    // Replicas sync at once rather than waiting 5 s for more replicas to share the transfer.
    args.push("--repl-diskless-sync-delay", "0");
    await procs.start(i, "redis-server", args, ports[i]!);
  };
  const stopNode = (i: number) => procs.stop(i);
  const closeAll = async () => {
    await procs.stopAll();
    await rm(dir, { recursive: true, force: true });
  };

  /** Nodes SIGSTOPped by stallMaster: running, but not answering. */
  const stalled = new Set<number>();
  const running = () => ports.map((_, i) => i).filter((i) => procs.has(i) && !stalled.has(i));
  const waitHealthy = async (ms = 15_000) => {
    await pollUntil("the cluster did not become healthy", ms, async () => {
      for (const i of running()) {
        const info = await withNode(ports[i]!, (node) => node.cluster("INFO"));
        if (!/cluster_state:ok/.test(info) || !/cluster_slots_ok:16384/.test(info)) return undefined;
        if (!new RegExp(`cluster_known_nodes:${count}\\b`).test(info)) return undefined;
        // A replica that has not finished its first sync would lose everything if promoted.
        const replication = await withNode(ports[i]!, (node) => node.info("replication"));
        if (/role:slave/.test(replication) && !/master_link_status:up/.test(replication)) return undefined;
      }
      return true;
    });
  };

  /** The slot ranges and their masters, in slot order, as a running node sees them. */
  const ranges = async () => {
    const [first] = running();
    const slots = await withNode(ports[first!]!, (node) => node.cluster("SLOTS"));
    return slots
      .sort((a, b) => a[0] - b[0])
      .map(([start, end, owner]) => ({ start, end, master: ports.indexOf(owner![1]) }));
  };
  const mastersBySlot = async () => (await ranges()).map((range) => range.master);
  const rangeOf = async (key: string) => {
    const slot = await withNode(ports[running()[0]!]!, (node) => node.cluster("KEYSLOT", key));
    return (await ranges()).findIndex((range) => range.start <= slot && slot <= range.end);
  };

  try {
    // Every node settles before a failure is thrown, so closeAll stops the ones that started.
    const started = await Promise.allSettled(ports.map((_, i) => startNode(i)));
    const failed = started.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    const addresses = ports.map((port) => `${host}:${port}`);
    await run("redis-cli", [
      "--cluster",
      "create",
      ...addresses,
      "--cluster-replicas",
      String(replicasPerMaster),
      "--cluster-yes",
    ]);
    await waitHealthy();
  } catch (err) {
    await closeAll();
    throw err;
  }

  const seeds = ports.map((port) => ({ host, port }));
  const clients = new Set<Cluster>();
  const client = (clientOptions: ClusterOptions = {}) => {
    const cluster = new Cluster(seeds, { ...clientOptions });
    cluster.on("error", () => {});
    clients.add(cluster);
    return cluster;
  };
  const keyPrefix = "kb:";

  return {
    seeds,
    ports,
    keyPrefix,
    client,
    clear: async () => {
      for (const i of await mastersBySlot()) await clearPrefix(ports[i]!, keyPrefix);
    },
    masters: mastersBySlot,
    masterOf: async (key) => (await mastersBySlot())[await rangeOf(key)]!,
    killMaster: (which = 0) => failover(which, stopNode),
    stallMaster: async (which = 0) => {
      const result = await failover(which, async (i) => {
        stalled.add(i);
        procs.signal(i, "SIGSTOP");
      });
      procs.signal(result.killed, "SIGCONT");
      stalled.delete(result.killed);
      await waitHealthy();
      return result;
    },
    stopNode,
    startNode: async (i) => {
      await startNode(i);
      await waitHealthy();
    },
    pause: (i) => procs.signal(i, "SIGSTOP"),
    resume: (i) => procs.signal(i, "SIGCONT"),
    waitHealthy,
    close: async () => {
      for (const cluster of clients) cluster.disconnect();
      clients.clear();
      await closeAll();
    },
  };

  /** Takes a master away by `how`, then waits until a replica serves its slots. */
  async function failover(which: number | string, how: (index: number) => Promise<void>) {
    const i = typeof which === "number" ? which : await rangeOf(which);
    const killed = (await mastersBySlot())[i];
    if (killed === undefined) throw new Error(`no master serves slot range ${i}`);
    const started = performance.now();
    await how(killed);
    await waitHealthyWithout(killed);
    const promoted = (await mastersBySlot())[i]!;
    return { killed, promoted, ms: Math.round(performance.now() - started) };
  }

  /** Like waitHealthy, but the killed node still counts as known (it is only failed). */
  function waitHealthyWithout(killed: number) {
    return pollUntil("no replica took over", 15_000, async () => {
      for (const i of running()) {
        const info = await withNode(ports[i]!, (node) => node.cluster("INFO"));
        if (!/cluster_state:ok/.test(info) || !/cluster_slots_ok:16384/.test(info)) return undefined;
      }
      const owners = await mastersBySlot();
      return owners.includes(killed) ? undefined : true;
    });
  }
}
