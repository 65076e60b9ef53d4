/**
 * `sh` and `bash`: a small shell, enough to drive `kubectl exec -it POD -- sh` (and attach)
 * from a test as a person would. With a TTY it is interactive: a `/ # ` prompt, the terminal's
 * line editing (terminal.ts), output with "\r\n" line ends, errors on the same stream. Without
 * one it reads commands from stdin, one a line, with no prompt, until stdin ends. `sh -c LINE`
 * runs one line. Builtins: exit [N], cd DIR, pwd, ls [PATH…], stty size; anything else runs as one of
 * the container's programs (commands.ts), or is "not found" with exit code 127, as in a shell.
 */
import { PassThrough } from "node:stream";
import type { ExecIo } from "./commands.ts";
import { PodFilesystem } from "./pod-files.ts";
import { LineDiscipline, onlcr } from "./terminal.ts";

/** Runs a program; undefined when there is no such program. */
export type Runner = (argv: string[], io: ExecIo) => Promise<number | undefined>;

const PROMPT = "/ # ";

/** What one line did: its exit code, whether the shell ends (`exit`), a new working directory (`cd`). */
interface Outcome {
  code: number;
  exit: boolean;
  cwd?: string;
}

/** Words as a shell splits them: whitespace outside quotes; '…' literal, "…" and \ escapes. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote) {
      if (char === quote) quote = "";
      else if (char === "\\" && quote === '"' && i + 1 < line.length) word = `${word}${line[++i]}`;
      else word = `${word}${char}`;
    } else if (char === "'" || char === '"') {
      quote = char;
      word ??= "";
    } else if (char === "\\" && i + 1 < line.length) word = (word ?? "") + line[++i];
    else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? "") + char;
  }
  if (word !== undefined) words.push(word);
  return words;
}

function list(args: string[], io: ExecIo): number {
  let code = 0;
  const names: string[] = [];
  for (const path of args.length ? args : ["."]) {
    const entry = io.files.stat(PodFilesystem.resolve(path, io.cwd));
    if (!entry) {
      io.stderr(`ls: ${path}: No such file or directory\n`);
      code = 1;
    } else if (entry.type === "file") names.push(path);
    else {
      const dir = PodFilesystem.resolve(path, io.cwd);
      const prefix = dir === "/" ? "/" : `${dir}/`;
      for (const [name] of io.files.walk(path)) {
        const child = name.slice(prefix.length);
        if (name.startsWith(prefix) && child && !child.includes("/")) names.push(child);
      }
    }
  }
  // ls puts several names on a line for a terminal, one a line for a pipe.
  if (names.length) io.stdout(`${names.join(io.tty ? "  " : "\n")}\n`);
  return code;
}

function changeDirectory(path: string, io: ExecIo): Outcome {
  const cwd = PodFilesystem.resolve(path, io.cwd);
  if (io.files.stat(cwd)?.type === "dir") return { code: 0, exit: false, cwd };
  io.stderr(`sh: cd: can't cd to ${path}: No such file or directory\n`);
  return { code: 2, exit: false };
}

/** Runs one command line with the status of the previous one (for a bare `exit`). */
export async function runLine(line: string, io: ExecIo, run: Runner, last = 0): Promise<Outcome> {
  const [command, ...args] = splitWords(line);
  if (command === undefined) return { code: last, exit: false };
  if (command === "exit") return { code: args[0] === undefined ? last : Number(args[0]) & 255, exit: true };
  if (command === "cd") return changeDirectory(args[0] ?? "/root", io);
  if (command === "pwd") io.stdout(`${io.cwd}\n`);
  else if (command === "ls") return { code: list(args, io), exit: false };
  else if (command === "stty" && args[0] === "size") {
    if (!io.tty) {
      io.stderr("stty: standard input: Not a tty\n");
      return { code: 1, exit: false };
    }
    io.stdout(`${io.terminal.rows} ${io.terminal.cols}\n`);
  } else {
    const code = await run([command, ...args], io);
    if (code === undefined) io.stderr(`sh: ${command}: not found\n`);
    return { code: code ?? 127, exit: false };
  }
  return { code: 0, exit: false };
}

/** Lines from stdin: through the terminal's line discipline, or split at "\n" without one. */
async function* lines(io: ExecIo, echo: (text: string) => void): AsyncGenerator<string | "interrupt"> {
  const discipline = new LineDiscipline(echo);
  let pending = "";
  for await (const chunk of io.stdin) {
    if (!io.tty) {
      const parts = (pending + chunk.toString("utf8")).split("\n");
      pending = parts.pop() ?? "";
      yield* parts;
      continue;
    }
    for (const event of discipline.feed(chunk)) {
      if (event.type === "eof") return;
      yield event.type === "line" ? event.text : "interrupt";
    }
  }
  if (pending) yield pending;
}

/** The shell reading its commands from stdin; resolves with its exit code. */
export async function interactiveShell(io: ExecIo, run: Runner): Promise<number> {
  const write = (data: string | Buffer) => io.stdout(io.tty ? onlcr(data) : data);
  // What the shell runs gets a terminal that translates newlines, and no stdin of its own.
  const noInput = new PassThrough();
  noInput.end();
  const child: ExecIo = { ...io, stdin: noInput, stdout: write, stderr: io.tty ? write : io.stderr };
  let last = 0;
  if (io.tty) io.stdout(PROMPT);
  for await (const line of lines(io, (text) => io.stdout(text))) {
    if (line === "interrupt") last = 130;
    else {
      const outcome = await runLine(line, child, run, last);
      last = outcome.code;
      child.cwd = outcome.cwd ?? child.cwd;
      if (outcome.exit) return last;
    }
    if (io.tty) io.stdout(PROMPT);
    if (io.signal.aborted) break;
  }
  // ^D: the shell leaves the cursor on a fresh line, as ash does.
  if (io.tty) io.stdout("\r\n");
  return last;
}
