/**
 * Port-forward the way the kubelet serves it (pkg/kubelet/cri/streaming/portforward), over a
 * SPDY connection: per forwarded connection the client opens an error stream and a data stream
 * with headers `streamType`, `port` and `requestID`; once both of a request have arrived, the
 * data stream is relayed to the pod's port, and if that fails the reason is written on the
 * error stream. Both streams are closed when the forwarding ends. Also the older WebSocket
 * channel protocol (websocket.go): one data and one error channel per `ports` entry.
 */

import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import { dialPodPort, type PodRef, sandboxId } from "./pod-ports.ts";
import type { SpdyHeaders } from "./spdy-codec.ts";
import type { SpdyStream, StreamHandler } from "./spdy-session.ts";

/** The kubelet's default --streaming-connection stream creation timeout. */
const STREAM_CREATION_TIMEOUT_MS = 30_000;

interface StreamPair {
  requestId: string;
  data?: SpdyStream;
  error?: SpdyStream;
  timer: NodeJS.Timeout;
}

/** Stream checks as in httpStreamReceived: a port in 1..65535, a known stream type. */
function refusal(headers: SpdyHeaders): string | undefined {
  const port = headers.get("port")?.[0] ?? "";
  if (port === "") return `"port" header is required`;
  if (!/^\d+$/.test(port) || Number(port) > 65535) return `unable to parse "${port}" as a port`;
  if (Number(port) < 1) return `port "${port}" must be > 0`;
  const type = headers.get("streamtype")?.[0] ?? "";
  if (type === "") return `"streamType" header is required`;
  if (type !== "error" && type !== "data") return `invalid stream type "${type}"`;
  return undefined;
}

/** What the kubelet writes on the error stream when the runtime could not forward. */
function forwardingError(pod: PodRef, port: number, err: unknown): string {
  return `error forwarding port ${port} to pod ${sandboxId(pod)}, uid : ${(err as Error).message}`;
}

/** Forwards one stream to the pod's port; the error message if the port cannot be reached. */
function forward(pod: PodRef, port: number, data: Duplex, done: () => void): string | undefined {
  let target: Duplex;
  try {
    target = dialPodPort(pod, port);
  } catch (err) {
    return forwardingError(pod, port, err);
  }
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    data.end();
    target.destroy();
    done();
  };
  data.pipe(target);
  target.on("data", (chunk: Buffer) => data.write(chunk));
  target.on("end", finish);
  target.on("close", finish);
  data.on("close", finish);
  return undefined;
}

/** The kubelet's httpStreamHandler for one SPDY connection to one pod. */
export function portForwardStreams(pod: PodRef): StreamHandler {
  const pairs = new Map<string, StreamPair>();
  const remove = (pair: StreamPair) => {
    clearTimeout(pair.timer);
    if (pairs.get(pair.requestId) === pair) pairs.delete(pair.requestId);
  };
  const requestIdOf = (stream: SpdyStream) => {
    const id = stream.header("requestid");
    if (id !== "") return id;
    // Clients older than request ids: error and data streams have consecutive odd ids.
    return String(stream.header("streamtype") === "error" ? stream.id : stream.id - 2);
  };
  return {
    check: refusal,
    open(stream) {
      // The client reads the error stream to its end and writes nothing on it.
      if (stream.header("streamtype") === "error") stream.resume();
      const requestId = requestIdOf(stream);
      let pair = pairs.get(requestId);
      if (!pair) {
        const created: StreamPair = {
          requestId,
          timer: setTimeout(() => {
            created.error?.end(`(conn=stand-in, request=${requestId}) timed out waiting for streams`);
            remove(created);
          }, STREAM_CREATION_TIMEOUT_MS).unref(),
        };
        pair = created;
        pairs.set(requestId, pair);
      }
      const type = stream.header("streamtype") as "data" | "error";
      if (pair[type]) {
        const message = `error processing stream for request ${requestId}: ${type} stream already assigned`;
        pair.error?.write(message);
        stream.destroy();
        return;
      }
      pair[type] = stream;
      const { data, error } = pair;
      if (!data || !error) return;
      remove(pair);
      const port = Number(data.header("port"));
      const failure = forward(pod, port, data, () => error.end());
      if (failure !== undefined) {
        error.end(failure);
        data.end();
      }
    },
  };
}

/** The channel protocol: data on channel 2i, errors on 2i+1, each first announcing its port. */
export function portForwardChannels(ws: WebSocket, pod: PodRef, ports: number[]): void {
  const send = (channel: number, bytes: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), bytes]));
  };
  const targets = ports.map((port, index) => {
    const number = Buffer.alloc(2);
    number.writeUInt16LE(port);
    send(index * 2, number);
    send(index * 2 + 1, number);
    try {
      const target = dialPodPort(pod, port);
      target.on("data", (chunk: Buffer) => send(index * 2, chunk));
      return target;
    } catch (err) {
      send(index * 2 + 1, Buffer.from(forwardingError(pod, port, err)));
      return undefined;
    }
  });
  ws.on("message", (raw: Buffer, isBinary: boolean) => {
    if (!isBinary || raw.length < 1 || raw[0]! % 2 !== 0) return;
    targets[raw[0]! / 2]?.write(raw.subarray(1));
  });
  ws.on("close", () => {
    for (const target of targets) target?.destroy();
  });
}
