/**
 * What listens inside a stand-in pod, the same in every pod: port 8080 is an echo server
 * (answers each chunk with the same bytes, and ends when the client does), port 80 a small
 * HTTP server (answers `hello from POD: METHOD PATH`). Any other port has nothing behind it,
 * and dialing it fails the way containerd reports it to the kubelet.
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { type Duplex, duplexPair } from "node:stream";

export interface PodRef {
  name: string;
  namespace: string;
  uid: string;
}

type Listener = (socket: Duplex, pod: PodRef) => void;

const LISTENERS: Record<number, Listener> = {
  8080: (socket) => {
    socket.on("data", (chunk: Buffer) => socket.write(chunk));
    socket.on("end", () => socket.end());
  },
  80: (socket, pod) => {
    const server = createServer((req, res) => {
      res.setHeader("content-type", "text/plain");
      res.end(`hello from ${pod.name}: ${req.method} ${req.url}\n`);
    });
    server.emit("connection", socket);
  },
};

/** The pod sandbox's id as the container runtime names it (64 hex digits). */
export function sandboxId(pod: PodRef): string {
  return createHash("sha256").update(pod.uid).digest("hex");
}

/** Connects to `port` inside the pod; throws containerd's error when nothing listens there. */
export function dialPodPort(pod: PodRef, port: number): Duplex {
  const listener = LISTENERS[port];
  if (!listener) {
    const id = sandboxId(pod);
    const refused = (address: string) => `dial ${address}:${port}: connect: connection refused`;
    throw new Error(
      `failed to execute portforward in network namespace "/var/run/netns/cni-${pod.uid}": ` +
        `failed to connect to localhost:${port} inside namespace "${id}", ` +
        `IPv4: ${refused("tcp4 127.0.0.1")} IPv6 ${refused("tcp6 [::1]")} `,
    );
  }
  const [client, server] = duplexPair();
  // A side destroyed by the other's going away must not crash the stand-in.
  client.on("error", () => undefined);
  server.on("error", () => undefined);
  client.on("close", () => server.destroy());
  listener(server, pod);
  return client;
}
