/**
 * Child process: one broker replica (the real composition root, src/server.ts) on the stack
 * host's Redis and clusters, alone in its process so that its latency, CPU time and memory
 * are its own.
 */
import type { Config } from "../../../src/config/schema.ts";
import { type Broker, startBroker } from "../../../src/server.ts";
import { silentLogger } from "../../../src/shared/logger.ts";
import { serveParent } from "./ipc.ts";

let broker: Broker | undefined;

serveParent({
  start: async ({ config, env }: { config: Config; env: Record<string, string> }) => {
    // Both listeners: the broker's (/clusters/<name>) and the prefix-free gateway's.
    const server = { ...config.server, listen: "127.0.0.1:0", gateway: { listen: "127.0.0.1:0" } };
    broker = await startBroker(
      { ...config, server },
      { logger: silentLogger(), env: { ...process.env, ...env } },
    );
    return { url: broker.url, rootUrl: broker.gatewayUrl };
  },
  /** Where the process's memory is (RSS alone does not say). */
  memory: () => process.memoryUsage(),
  close: async () => {
    await broker?.close();
  },
});
