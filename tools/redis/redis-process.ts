import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { Redis } from "ioredis";

/**
 * Spawning and stopping the Redis processes the harnesses own (redis-server, cluster nodes,
 * sentinels). Every child is SIGKILLed when the test process exits, however it exits, so a
 * failed test never leaves a server holding a port.
 */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Starts `binary` (redis-server or redis-sentinel) and resolves once it answers PING on `port`. */
export async function spawnRedis(binary: string, args: string[], port: number): Promise<ChildProcess> {
  const proc = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  running.add(proc);
  proc.once("exit", () => running.delete(proc));
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  proc.stdout?.on("data", collect);
  proc.stderr?.on("data", collect);
  await waitForReady(port, proc, () => output);
  return proc;
}

/** SIGKILLs the process (a crash, not a shutdown: nothing is saved) and waits for it to go. */
export async function killProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, "exit");
  proc.kill("SIGCONT"); // a paused process must run to die promptly
  proc.kill("SIGKILL");
  await exited;
}

async function waitForReady(port: number, proc: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`redis exited: ${output()}`);
    const probe = new Redis({ port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null });
    probe.on("error", () => {});
    try {
      await probe.connect();
      if ((await probe.ping()) === "PONG") return;
    } catch {
      // not listening yet
    } finally {
      probe.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  proc.kill("SIGKILL");
  throw new Error(`redis on port ${port} did not become ready: ${output()}`);
}

/** Polls `check` every 50 ms until it returns a value, or throws `what` after `ms`. */
export async function pollUntil<T>(
  what: string,
  ms: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms${last ? `: ${last}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One short-lived connection to a node for a query, closed afterwards. */
export async function withNode<T>(port: number, use: (node: Redis) => Promise<T>): Promise<T> {
  const node = new Redis({
    port,
    host: "127.0.0.1",
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: 500,
    commandTimeout: 1000,
  });
  node.on("error", () => {});
  try {
    await node.connect();
    return await use(node);
  } finally {
    node.disconnect();
  }
}

/**
 * The harness's own servers by index: a slot is empty while its server is stopped, and
 * keeps its index (and so its port and directory) when started again.
 */
export class ProcessSlots {
  readonly #procs: (ChildProcess | undefined)[];

  constructor(count: number) {
    this.#procs = new Array(count).fill(undefined);
  }

  has(i: number): boolean {
    return this.#procs[i] !== undefined;
  }

  async start(i: number, binary: string, args: string[], port: number): Promise<void> {
    if (!this.#procs[i]) this.#procs[i] = await spawnRedis(binary, args, port);
  }

  async stop(i: number): Promise<void> {
    const proc = this.#procs[i];
    this.#procs[i] = undefined;
    if (proc) await killProcess(proc);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.#procs.map((_, i) => this.stop(i)));
  }

  /** SIGSTOP or SIGCONT: a server that hangs with its connections open, then runs again. */
  signal(i: number, signal: "SIGSTOP" | "SIGCONT"): void {
    this.#procs[i]?.kill(signal);
  }
}

/** UNLINKs every key under `prefix` on one node, one key per command (keys of many slots). */
export async function clearPrefix(port: number, prefix: string): Promise<void> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
  await withNode(port, async (node) => {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      for (const key of keys) await node.unlink(key);
      cursor = next;
    } while (cursor !== "0");
  });
}
