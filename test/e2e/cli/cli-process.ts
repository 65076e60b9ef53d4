/**
 * Runs the shipped CLI (dist/kubectl-broker.js, rebuilt first if the sources are newer) with
 * the Node running the tests, isolated in a HOME of its own.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { delimiter, dirname } from "node:path";
import { freshCliBundle } from "../../support/cli-bundle.ts";

export const BUNDLE = freshCliBundle();

/** Node 24 first on PATH: what kubectl (and a `#!/usr/bin/env node`) would find. */
export const NODE_PATH = [dirname(process.execPath), process.env.PATH ?? "/usr/bin:/bin"].join(delimiter);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type CliEnv = Record<string, string | undefined>;

/** The environment of a person at a fresh machine: just PATH and HOME. */
export function baseEnv(home: string, extra: CliEnv = {}): CliEnv {
  return { PATH: NODE_PATH, HOME: home, ...extra };
}

export function runCli(
  args: string[],
  env: CliEnv,
  options: { timeoutMs?: number; ownParent?: boolean } = {},
): Promise<CliResult> {
  // The plugin takes a second call from the same parent before expiry for kubectl retrying
  // after a 401; `ownParent` runs it under a shell of its own, as a new kubectl would.
  const [file, argv] = options.ownParent
    ? ["/bin/sh", ["-c", '"$@"; exit $?', "sh", process.execPath, BUNDLE, ...args]]
    : [process.execPath, [BUNDLE, ...args]];
  return new Promise((resolve) => {
    execFile(
      file,
      argv,
      { env: env as NodeJS.ProcessEnv, timeout: options.timeoutMs ?? 20_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export interface RunningCli {
  process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stderr (or stdout with `stream`). */
  waitFor(pattern: RegExp, stream?: "stdout" | "stderr", timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<CliResult>;
}

/** A long-running CLI (login waiting for the browser, audit tail) to read while it runs. */
export function startCli(args: string[], env: CliEnv): RunningCli {
  const child = spawn(process.execPath, [BUNDLE, ...args], {
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = { stdout: "", stderr: "" };
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out.stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    out.stderr += chunk;
  });
  const exited = new Promise<CliResult>((resolve) =>
    child.on("close", (code) => resolve({ code: code ?? 1, stdout: out.stdout, stderr: out.stderr })),
  );
  return {
    process: child,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    exited,
    waitFor: async (pattern, stream = "stderr", timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = out[stream].match(pattern);
        if (match) return match;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(
            `no ${pattern} in ${stream}; stdout ${JSON.stringify(out.stdout)} stderr ${JSON.stringify(out.stderr)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/** Asserts the shape every CLI failure must have: exit ≠ 0, one line on stderr, no stack. */
export function oneLineFailure(result: CliResult): string {
  if (result.code === 0) throw new Error(`expected a failure, got exit 0: ${result.stderr}`);
  const lines = result.stderr.split("\n").filter((line) => line !== "");
  const trace = lines.find((line) => /^\s+at\s/.test(line) || /node:internal|\.js:\d+/.test(line));
  if (trace) throw new Error(`a stack trace on stderr: ${result.stderr}`);
  return lines.at(-1) ?? "";
}
