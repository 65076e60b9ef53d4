import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "../free-port.ts";
import { killProcess, spawnRedis } from "./redis-process.ts";

/**
 * A private redis-server for one test file: its own port and data directory, so tests can
 * stop and restart it and run in parallel without sharing data. With REDIS_URL set, an
 * existing server is used instead (then each harness gets its own key prefix, and
 * stop/restart are unavailable: `canRestart` is false).
 */
export interface RedisHarness {
  url: string;
  /** A key prefix unique to this harness; pass it to the code under test. */
  keyPrefix: string;
  canRestart: boolean;
  /** A new ioredis client, closed by close(). */
  client(options?: { maxRetriesPerRequest?: number | null }): Redis;
  /** Deletes every key under keyPrefix, and nothing else: a shared server keeps others' keys. */
  clear(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  /** SIGSTOP: the server hangs with its connections open (a stall, not an outage). */
  pause(): void;
  /** SIGCONT: the paused server runs again and answers what it was sent meanwhile. */
  resume(): void;
  close(): Promise<void>;
}

export interface StartRedisOptions {
  /** Keep data across stop/start (append-only file in the harness's own directory). */
  persist?: boolean;
  /**
   * With REDIS_URL: this key prefix instead of a new random one, so a program that starts
   * again (the demo) finds what it kept there. Tests leave it unset to stay apart.
   */
  sharedKeyPrefix?: string;
}

export async function startRedis(options: StartRedisOptions = {}): Promise<RedisHarness> {
  const clients = new Set<Redis>();
  const makeClient =
    (url: string) =>
    (clientOptions: { maxRetriesPerRequest?: number | null } = {}) => {
      const client = new Redis(url, { lazyConnect: false, ...clientOptions });
      client.on("error", () => {});
      clients.add(client);
      return client;
    };
  const closeClients = () => {
    for (const client of clients) client.disconnect();
    clients.clear();
  };

  const external = process.env.REDIS_URL;
  if (external) {
    const prefix = options.sharedKeyPrefix ?? `kbtest:${randomBytes(4).toString("hex")}:`;
    const unavailable = async () => {
      throw new Error("stop/start/restart need a private redis-server; unset REDIS_URL");
    };
    return {
      url: external,
      keyPrefix: prefix,
      canRestart: false,
      client: makeClient(external),
      clear: clearer(external, prefix),
      stop: unavailable,
      start: unavailable,
      restart: unavailable,
      pause: () => {
        throw new Error("pause/resume need a private redis-server; unset REDIS_URL");
      },
      resume: () => {},
      close: async () => closeClients(),
    };
  }

  const dir = await mkdtemp(join(tmpdir(), "kb-redis-"));
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    if (child) return;
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""];
    args.push("--appendonly", options.persist ? "yes" : "no", "--appendfsync", "always");
    child = await spawnRedis("redis-server", args, port);
  };

  const stop = async () => {
    const proc = child;
    if (!proc) return;
    child = undefined;
    await killProcess(proc);
  };

  await start();
  const url = `redis://127.0.0.1:${port}`;
  return {
    url,
    keyPrefix: "kb:",
    canRestart: true,
    client: makeClient(url),
    clear: clearer(url, "kb:"),
    stop,
    start,
    restart: async () => {
      await stop();
      await start();
    },
    pause: () => {
      child?.kill("SIGSTOP");
    },
    resume: () => {
      child?.kill("SIGCONT");
    },
    close: async () => {
      closeClients();
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** SCAN for the prefix's keys (glob characters in it escaped) and UNLINK them, in batches. */
function clearer(url: string, prefix: string): () => Promise<void> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
  return async () => {
    const client = new Redis(url, { lazyConnect: false });
    client.on("error", () => {});
    try {
      let cursor = "0";
      do {
        const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", 1000);
        if (keys.length > 0) await client.unlink(...keys);
        cursor = next;
      } while (cursor !== "0");
    } finally {
      client.disconnect();
    }
  };
}
