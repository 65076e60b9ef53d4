/**
 * `kubectl port-forward` for tests: starts it on a free local port and waits for its
 * "Forwarding from" line, and opens plain TCP connections to the forwarded port whose bytes
 * can be awaited.
 */
import { connect, type Socket } from "node:net";
import { freePort } from "../free-port.ts";
import type { KubectlSandbox, RunningKubectl } from "./kubectl.ts";

export interface PortForward {
  kubectl: RunningKubectl;
  /** The local port on 127.0.0.1. */
  port: number;
}

/**
 * `kubectl port-forward --address 127.0.0.1 pod/NAME LOCAL:REMOTE`, resolved once kubectl
 * listens. `websockets: false` sets KUBECTL_PORT_FORWARD_WEBSOCKETS=false (the SPDY upgrade).
 */
export async function startPortForward(
  sandbox: KubectlSandbox,
  kubeconfig: string,
  pod: string,
  remotePort: number,
  options: { namespace?: string; websockets?: boolean } = {},
): Promise<PortForward> {
  const port = await freePort();
  const args = ["port-forward", "--address", "127.0.0.1", `pod/${pod}`, `${port}:${remotePort}`];
  if (options.namespace) args.push("-n", options.namespace);
  const env = options.websockets === false ? { KUBECTL_PORT_FORWARD_WEBSOCKETS: "false" } : undefined;
  const kubectl = sandbox.start(kubeconfig, args, env ? { env } : {});
  await kubectl.waitFor(`Forwarding from 127.0.0.1:${port} -> ${remotePort}`);
  return { kubectl, port };
}

export interface LocalConnection {
  socket: Socket;
  /** Resolves with everything received once at least `length` bytes have arrived. */
  received(length: number, timeoutMs?: number): Promise<Buffer>;
  /** Resolves with everything received once the other side has closed. */
  closed(timeoutMs?: number): Promise<Buffer>;
}

/** A TCP connection to 127.0.0.1:port; rejects if nothing listens there. */
export async function connectLocal(port: number): Promise<LocalConnection> {
  const socket = connect({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let received = Buffer.alloc(0);
  let ended = false;
  socket.on("data", (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
  });
  socket.on("error", () => undefined);
  socket.on("close", () => {
    ended = true;
  });
  const until = async (ready: () => boolean, what: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (ended || Date.now() > deadline) {
        throw new Error(`${what}: ${received.length} bytes, connection ${ended ? "closed" : "still open"}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    return received;
  };
  return {
    socket,
    received: (length, timeoutMs = 5000) =>
      until(() => received.length >= length, `waiting for ${length} bytes`, timeoutMs),
    closed: (timeoutMs = 5000) => until(() => ended, "waiting for the connection to close", timeoutMs),
  };
}
