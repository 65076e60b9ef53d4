/**
 * One exec or attach session, whichever protocol carries it (WebSocket channels in session.ts,
 * SPDY streams in spdy-exec.ts): the program gets stdin, stdout, stderr and a terminal; when it
 * ends, the kubelet's Status goes on the error stream (ServeExec / ServeAttach in
 * pkg/kubelet/cri/streaming/remotecommand/exec.go and attach.go).
 */
import type { Readable } from "node:stream";
import { type ExecIo, runCommand } from "./commands.ts";
import type { PodFilesystem } from "./pod-files.ts";
import type { TerminalSize } from "./terminal.ts";

/** What the client asked for (PodExecOptions / PodAttachOptions) and where the program runs. */
export interface SessionOptions {
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

/** A protocol's side of a session, open once every stream the client asked for exists. */
export interface SessionTransport {
  /** The client's stdin; ended when the client ends it (or sent none). */
  stdin: Readable;
  stdout(data: string | Buffer): void;
  stderr(data: string | Buffer): void;
  /** Follows the client's resize messages. */
  terminal: TerminalSize;
  /** Aborted when the client goes away. */
  gone: AbortSignal;
  /** Writes the Status on the error stream and ends the connection. */
  finish(status: Record<string, unknown>): void;
}

/** The program a session runs. */
export interface RemoteProgram {
  /** Resolves with the exit code. */
  run(io: ExecIo): Promise<number>;
  /** How the kubelet words a failure to run it: "error executing command in container". */
  failure: string;
}

export function execProgram(argv: string[]): RemoteProgram {
  return { run: (io) => runCommand(argv, io), failure: "error executing command in container" };
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
  const full = `Internal error occurred: ${message}`;
  return {
    metadata: {},
    status: "Failure",
    message: full,
    reason: "InternalError",
    details: { causes: [{ message: full }] },
    code: 500,
  };
}

export function runRemoteCommand(
  transport: SessionTransport,
  options: SessionOptions,
  program: RemoteProgram,
): void {
  const ended = AbortSignal.any([options.killed, transport.gone]);
  // With a TTY the kubelet drops the stderr stream (NewOptions in httpstream.go): a pty has one
  // output, so what the program writes to stderr reaches the client on stdout.
  const stdout = (data: string | Buffer) => options.stdout && transport.stdout(data);
  const io: ExecIo = {
    stdin: transport.stdin,
    stdout,
    stderr: options.tty ? stdout : (data) => options.stderr && transport.stderr(data),
    signal: ended,
    username: options.username,
    podName: options.podName,
    files: options.files,
    cwd: "/",
    tty: options.tty,
    terminal: transport.terminal,
  };
  const killed = new Promise<number>((resolve) => {
    if (ended.aborted) resolve(137);
    ended.addEventListener("abort", () => resolve(137));
  });
  Promise.race([program.run(io), killed]).then(
    (code) => transport.finish(exitStatus(code)),
    (err: unknown) => {
      const reason = err instanceof Error ? err.message : String(err);
      transport.finish(internalError(`${program.failure}: ${reason}`));
    },
  );
}
