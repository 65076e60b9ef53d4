/**
 * One `kubectl exec` or `attach` over WebSocket (subprotocols v5.channel.k8s.io and
 * v4.channel.k8s.io): every binary message starts with a channel byte — 0 stdin, 1 stdout,
 * 2 stderr, 3 status, 4 resize (a JSON TerminalSize per message), and (v5 only) 255 "close this
 * channel" so the client can end stdin. As the kubelet does (remotecommand/websocket.go,
 * wsstream/conn.go): an empty message on the lowest writable channel once open; when the program
 * ends, its Status on channel 3, a close frame, and the connection closed at once without waiting
 * for the client's close frame (x/net/websocket's Close). Clients that poll the TCP socket for the
 * next frame (the Python client) rely on that.
 */
import { type Duplex, PassThrough } from "node:stream";
import type { WebSocket } from "ws";
import { type RemoteProgram, runRemoteCommand, type SessionOptions } from "./remote-command.ts";
import { TerminalSize } from "./terminal.ts";

export const EXEC_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const RESIZE = 4;
const CLOSE = 255;

/** `socket` is the upgraded connection under `ws`, ended right after the close frame. */
export function runExecSession(
  ws: WebSocket,
  socket: Duplex,
  protocol: string,
  options: SessionOptions,
  program: RemoteProgram,
): void {
  const v5 = protocol === "v5.channel.k8s.io";
  const stdin = new PassThrough();
  if (!options.stdin) stdin.end();
  const gone = new AbortController();
  const terminal = new TerminalSize();

  const send = (channel: number, data: string | Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
  };
  ws.on("message", (raw: Buffer, isBinary: boolean) => {
    if (!isBinary || raw.length === 0) return;
    const channel = raw[0];
    if (v5 && channel === CLOSE && raw[1] === STDIN) stdin.end();
    else if (channel === STDIN && !stdin.writableEnded) stdin.write(raw.subarray(1));
    else if (channel === RESIZE) terminal.apply(raw.subarray(1).toString("utf8"));
  });
  ws.on("close", () => {
    stdin.end();
    gone.abort();
  });

  send(options.stdout ? STDOUT : options.stderr ? STDERR : STATUS, "");
  runRemoteCommand(
    {
      stdin,
      stdout: (data) => send(STDOUT, data),
      stderr: (data) => send(STDERR, data),
      terminal,
      gone: gone.signal,
      finish: (status) => {
        send(STATUS, JSON.stringify(status));
        if (ws.readyState !== ws.OPEN) return;
        ws.close(1000);
        socket.end();
      },
    },
    options,
    program,
  );
}
