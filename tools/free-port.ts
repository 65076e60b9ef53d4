import { createServer, type Server } from "node:net";

/**
 * Ports are picked at random below Linux's ephemeral range (32768–60999 by default), never by
 * listening on port 0. A port the system handed out for port 0 and that was then closed is
 * back in the ephemeral pool: any process's next outgoing connection, or its next listen on
 * port 0, may take it before the test listens on it (seen in CI as EADDRINUSE when parallel
 * test files open many connections). Below that range only another picker like this one can
 * take it, and the random choice among ~17,000 ports makes that rare.
 */
const LOWEST = 15_000;
const HIGHEST = 32_767;

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port as number;
}

/**
 * `count` distinct TCP ports on 127.0.0.1 that were free a moment ago: all are held open at
 * once while they are picked, so none is handed out twice.
 */
export async function freePorts(count: number): Promise<number[]> {
  const held: Server[] = [];
  try {
    while (held.length < count) {
      const server = await tryListen(LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1)));
      if (server) held.push(server);
    }
    return held.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** Listens on `port`, or resolves to undefined when it is taken (or not allowed). */
function tryListen(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(undefined));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => resolve(server));
  });
}
