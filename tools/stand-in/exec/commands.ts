/**
 * The few programs a stand-in container can run: enough for tests to prove stdin, stdout,
 * stderr, exit codes, identity and long-lived sessions through a proxy.
 *   echo [-n] ARGS · cat [FILE…] (stdin to stdout until stdin closes, or the pod's files) ·
 *   whoami (the authenticated user) · true · false · sleep N · hostname · test -d|-f|-e PATH ·
 *   tar (for kubectl cp, see tar-command.ts) · sh and bash (shell.ts): `-c LINE`, or with no
 *   arguments a shell reading stdin, interactive with a TTY.
 */
import { setTimeout as delay } from "node:timers/promises";
import { PodFilesystem } from "./pod-files.ts";
import { interactiveShell, runLine } from "./shell.ts";
import { tar } from "./tar-command.ts";
import type { TerminalSize } from "./terminal.ts";

export interface ExecIo {
  stdin: AsyncIterable<Buffer>;
  stdout(data: string | Buffer): void;
  stderr(data: string | Buffer): void;
  /** Aborted when the session ends from outside (client gone, pod deleted). */
  signal: AbortSignal;
  username: string;
  podName: string;
  /** The pod's files (pod-files.ts). */
  files: PodFilesystem;
  /** The working directory relative paths start from ("/" unless a shell changed it). */
  cwd: string;
  /** Whether the program runs on a terminal (exec -t); its size follows the client's resizes. */
  tty: boolean;
  terminal: TerminalSize;
}

/** The OCI runtime's refusal, which kubelet reports as an internal error rather than an exit code. */
export class CommandNotFound extends Error {
  constructor(command: string) {
    super(
      `OCI runtime exec failed: exec failed: unable to start container process: exec: "${command}": executable file not found in $PATH: unknown`,
    );
  }
}

type Program = (args: string[], io: ExecIo) => Promise<number> | number;

const PROGRAMS: Record<string, Program> = {
  echo(args, io) {
    const newline = args[0] !== "-n";
    io.stdout(`${(newline ? args : args.slice(1)).join(" ")}${newline ? "\n" : ""}`);
    return 0;
  },
  async cat(args, io) {
    if (args.length === 0) {
      for await (const chunk of io.stdin) io.stdout(chunk);
      return 0;
    }
    let code = 0;
    for (const path of args) {
      const entry = io.files.stat(PodFilesystem.resolve(path, io.cwd));
      if (entry?.type === "file") io.stdout(entry.data);
      else {
        io.stderr(`cat: ${path}: ${entry ? "Is a directory" : "No such file or directory"}\n`);
        code = 1;
      }
    }
    return code;
  },
  test(args, io) {
    const [flag, path] = args;
    const entry = path === undefined ? undefined : io.files.stat(PodFilesystem.resolve(path, io.cwd));
    if (flag === "-d") return entry?.type === "dir" ? 0 : 1;
    if (flag === "-f") return entry?.type === "file" ? 0 : 1;
    if (flag === "-e") return entry ? 0 : 1;
    io.stderr("test: only -d, -f and -e PATH are supported here\n");
    return 2;
  },
  tar,
  whoami(_args, io) {
    io.stdout(`${io.username}\n`);
    return 0;
  },
  hostname(_args, io) {
    io.stdout(`${io.podName}\n`);
    return 0;
  },
  true: () => 0,
  false: () => 1,
  async sleep(args, io) {
    await delay(Number(args[0] ?? 0) * 1000, undefined, { signal: io.signal }).catch(() => undefined);
    return 0;
  },
  async sh(args, io) {
    if (args.length === 0) return interactiveShell(io, findAndRun);
    if (args[0] !== "-c" || args[1] === undefined) {
      io.stderr("sh: only `sh -c COMMAND` or `sh` reading commands is supported here\n");
      return 2;
    }
    return (await runLine(args[1], io, findAndRun)).code;
  },
};

// bash reads the same small language here.
PROGRAMS.bash = PROGRAMS.sh as Program;

const programOf = (command: string | undefined) => PROGRAMS[(command ?? "").replace(/^\/(usr\/)?bin\//, "")];

/** What a shell runs: undefined (the shell's "not found") for unknown programs. */
async function findAndRun(argv: string[], io: ExecIo): Promise<number | undefined> {
  const program = programOf(argv[0]);
  return program ? program(argv.slice(1), io) : undefined;
}

/** Runs argv and resolves with its exit code; throws CommandNotFound for unknown programs. */
export async function runCommand(argv: string[], io: ExecIo): Promise<number> {
  const code = await findAndRun(argv, io);
  if (code === undefined) throw new CommandNotFound(argv[0] ?? "");
  return code;
}
