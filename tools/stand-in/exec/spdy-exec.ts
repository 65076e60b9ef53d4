/**
 * Exec and attach over SPDY/3.1, kubectl's fallback (KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false, or
 * a server refusing the WebSocket upgrade), served as the kubelet serves it
 * (pkg/kubelet/cri/streaming/remotecommand/httpstream.go): the stream protocol is negotiated from
 * X-Stream-Protocol-Version (kubectl offers v5…v1, the kubelet takes v4, v3, v2 and
 * channel.k8s.io, so v4 is chosen); the client then opens one stream per `streamType` header —
 * error first, then stdin, stdout, stderr (not with a TTY) and, from v3, resize (JSON
 * TerminalSize values one a line) — and the program starts once all it asked for exist. When it
 * ends, the Status goes on the error stream (v4: JSON; older: the message text, failures only),
 * every stream is closed and so is the connection.
 *
 * Not the kubelet: bytes after the 101 that do not start a SPDY frame are echoed back unchanged,
 * so a test can prove a proxy carries a SPDY upgrade byte for byte without speaking SPDY.
 */
import type { IncomingMessage } from "node:http";
import { type Duplex, PassThrough } from "node:stream";
import { FrameType } from "../portforward/spdy-codec.ts";
import { SpdySession, type SpdyStream, type StreamHandler } from "../portforward/spdy-session.ts";
import { type RemoteProgram, runRemoteCommand, type SessionOptions } from "./remote-command.ts";
import { spdyHandshake } from "./spdy-handshake.ts";
import { ResizeReader, TerminalSize } from "./terminal.ts";

const V4 = "v4.channel.k8s.io";
const V3 = "v3.channel.k8s.io";
/** The kubelet's SupportedStreamingProtocols, newest first. */
export const SPDY_EXEC_PROTOCOLS = [V4, V3, "v2.channel.k8s.io", "channel.k8s.io"];

/** The kubelet's default stream creation timeout. */
const STREAM_CREATION_TIMEOUT_MS = 30_000;

/** The flags a client's first frame may carry, by frame type (spdystream opens with one of these). */
const FIRST_FRAME_FLAGS: Record<number, number> = {
  [FrameType.SYN_STREAM]: 0x03, // FIN, UNIDIRECTIONAL
  [FrameType.SETTINGS]: 0x01, // CLEAR_SETTINGS
  [FrameType.PING]: 0,
};

/** Whether bytes start a SPDY/3 control frame; undefined until enough have arrived to tell. */
export function startsSpdyFrame(bytes: Buffer): boolean | undefined {
  const prefix = [0x80, 0x03, 0x00];
  for (let i = 0; i < prefix.length; i++) {
    if (bytes.length <= i) return undefined;
    if (bytes[i] !== prefix[i]) return false;
  }
  if (bytes.length < 5) return undefined;
  const allowed = FIRST_FRAME_FLAGS[bytes[3]!];
  return allowed !== undefined && (bytes[4]! & ~allowed) === 0;
}

/** Reads the first bytes after the 101 until they tell SPDY from anything else. */
function sniff(socket: Duplex, head: Buffer, decide: (spdy: boolean, seen: Buffer) => void): void {
  let seen = head;
  const onData = (chunk: Buffer) => {
    seen = Buffer.concat([seen, chunk]);
    check();
  };
  const check = () => {
    const spdy = startsSpdyFrame(seen);
    if (spdy === undefined) return false;
    socket.off("data", onData);
    decide(spdy, seen);
    return true;
  };
  if (!check()) socket.on("data", onData);
}

function echo(socket: Duplex, seen: Buffer): void {
  if (seen.length) socket.write(seen);
  socket.on("data", (chunk: Buffer) => socket.write(chunk));
  socket.on("end", () => socket.end());
}

/** How many streams the kubelet waits for: error, one per requested stream, resize with a TTY from v3. */
function expectedStreams(protocol: string, options: SessionOptions): Set<string> {
  const types = new Set(["error"]);
  if (options.stdin) types.add("stdin");
  if (options.stdout) types.add("stdout");
  // NewOptions drops stderr when there is a TTY.
  if (options.stderr && !options.tty) types.add("stderr");
  if (options.tty && (protocol === V4 || protocol === V3)) types.add("resize");
  return types;
}

/** Collects the client's streams by type; `ready` once every expected one is open. */
function collectStreams(
  expected: Set<string>,
  ready: (streams: Map<string, SpdyStream>) => void,
): StreamHandler {
  const streams = new Map<string, SpdyStream>();
  return {
    // The kubelet replies to every stream and ignores the types it does not expect.
    check: () => undefined,
    open(stream) {
      const type = stream.header("streamtype");
      if (!expected.has(type) || streams.has(type)) {
        stream.resume();
        return;
      }
      streams.set(type, stream);
      if (streams.size === expected.size) ready(streams);
    },
  };
}

/** The status as the negotiated protocol writes it on the error stream ("" for nothing). */
function statusText(protocol: string, status: Record<string, unknown>): string {
  if (protocol === V4) return JSON.stringify(status);
  return status.status === "Success" ? "" : String(status.message);
}

function startSession(
  session: SpdySession,
  streams: Map<string, SpdyStream>,
  protocol: string,
  options: SessionOptions,
  gone: AbortSignal,
  program: RemoteProgram,
): void {
  // The program reads a stream of its own, so that it stopping early never resets the client's.
  const stdin = new PassThrough();
  const input = streams.get("stdin");
  if (input) input.pipe(stdin);
  else stdin.end();
  gone.addEventListener("abort", () => stdin.end());
  const terminal = new TerminalSize();
  const resizes = new ResizeReader(terminal);
  streams.get("resize")?.on("data", (chunk: Buffer) => resizes.push(chunk));
  // The client writes nothing on the error stream; it waits for it to end.
  streams.get("error")?.resume();
  runRemoteCommand(
    {
      stdin,
      stdout: (data) => streams.get("stdout")?.write(data),
      stderr: (data) => streams.get("stderr")?.write(data),
      terminal,
      gone,
      finish: async (status) => {
        const text = statusText(protocol, status);
        if (text) streams.get("error")?.write(text);
        await Promise.all([...streams.values()].map((s) => new Promise((done) => s.end(done))));
        await session.finish();
      },
    },
    options,
    program,
  );
}

/** Negotiates, answers 101, then serves the session; returns the chosen stream protocol. */
export function serveSpdyRemoteCommand(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  options: SessionOptions,
  program: RemoteProgram,
): string {
  const protocol = spdyHandshake(req, socket, SPDY_EXEC_PROTOCOLS);
  sniff(socket, head, (spdy, seen) => {
    if (!spdy) return echo(socket, seen);
    const gone = new AbortController();
    const timer = setTimeout(() => session.close(), STREAM_CREATION_TIMEOUT_MS);
    const handler = collectStreams(expectedStreams(protocol, options), (streams) => {
      clearTimeout(timer);
      startSession(session, streams, protocol, options, gone.signal, program);
    });
    const session = new SpdySession(
      { write: (bytes) => socket.write(bytes), close: () => socket.end() },
      handler,
    );
    socket.on("data", (chunk: Buffer) => session.receive(chunk));
    socket.on("end", () => session.close());
    socket.on("close", () => {
      clearTimeout(timer);
      session.closed();
      gone.abort();
    });
    session.receive(seen);
  });
  return protocol;
}
