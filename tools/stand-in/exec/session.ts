/**
 * One `kubectl exec` over WebSocket (subprotocols v5.channel.k8s.io and v4.channel.k8s.io):
 * every binary message starts with a channel byte — 0 stdin, 1 stdout, 2 stderr, 3 status,
 * 4 resize, and (v5 only) 255 "close this channel" so the client can end stdin. As the kubelet
 * does (remotecommand/websocket.go, wsstream/conn.go): an empty message on the lowest writable
 * channel once open; when the program ends, its Status on channel 3, a close frame, and the
 * connection closed at once without waiting for the client's close frame (x/net/websocket's
 * Close). Clients that poll the TCP socket for the next frame (the Python client) rely on that.
 */
import { type Duplex, PassThrough } from "node:stream";
import type { WebSocket } from "ws";
import { CommandNotFound, type ExecIo, runCommand } from "./commands.ts";
import type { PodFilesystem } from "./pod-files.ts";

export const EXEC_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const CLOSE = 255;

export interface ExecOptions {
  /** The negotiated subprotocol (v5 adds the close signal). */
  protocol: string;
  argv: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  username: string;
  podName: string;
  files: PodFilesystem;
  /** Ends the session early (the pod was deleted): the program is killed. */
  killed: AbortSignal;
}

/** The Status the kubelet writes on the error channel when the program ends. */
export function exitStatus(code: number): Record<string, unknown> {
  if (code === 0) return { metadata: {}, status: "Success" };
  return {
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: error executing command, exit code ${code}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(code) }] },
  };
}

function internalError(message: string): Record<string, unknown> {
  const full = `Internal error occurred: error executing command in container: ${message}`;
  return {
    metadata: {},
    status: "Failure",
    message: full,
    reason: "InternalError",
    details: { causes: [{ message: full }] },
    code: 500,
  };
}

/** `socket` is the upgraded connection under `ws`, ended right after the close frame. */
export function runExecSession(ws: WebSocket, socket: Duplex, options: ExecOptions): void {
  const v5 = options.protocol === "v5.channel.k8s.io";
  const stdin = new PassThrough();
  if (!options.stdin) stdin.end();
  const ended = new AbortController();
  options.killed.addEventListener("abort", () => ended.abort());

  const send = (channel: number, data: string | Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
  };
  ws.on("message", (raw: Buffer, isBinary: boolean) => {
    if (!isBinary || raw.length === 0) return;
    const channel = raw[0];
    if (v5 && channel === CLOSE && raw[1] === STDIN) stdin.end();
    else if (channel === STDIN && !stdin.writableEnded) stdin.write(raw.subarray(1));
    // Channel 4 (terminal resize) needs no answer: there is no terminal.
  });
  ws.on("close", () => {
    stdin.end();
    ended.abort();
  });

  const io: ExecIo = {
    stdin,
    stdout: (data) => options.stdout && send(STDOUT, data),
    // With a TTY there is no separate stderr stream; it goes to the terminal (stdout).
    stderr: (data) => options.stderr && send(options.tty ? STDOUT : STDERR, data),
    signal: ended.signal,
    username: options.username,
    podName: options.podName,
    files: options.files,
  };
  send(options.stdout ? STDOUT : options.stderr ? STDERR : STATUS, "");
  const finish = (status: Record<string, unknown>) => {
    send(STATUS, JSON.stringify(status));
    if (ws.readyState !== ws.OPEN) return;
    ws.close(1000);
    socket.end();
  };
  const killed = new Promise<number>((resolve) => ended.signal.addEventListener("abort", () => resolve(137)));
  Promise.race([runCommand(options.argv, io), killed]).then(
    (code) => finish(exitStatus(code)),
    (err: unknown) => finish(internalError(err instanceof CommandNotFound ? err.message : String(err))),
  );
}
