import { homedir } from "node:os";
import { type Clock, systemClock } from "../shared/clock.ts";

/**
 * What a command may touch of the outside world, passed in so that tests and the exec plugin
 * see the same code: the environment, the time, and the two output streams (stdout for the
 * result only, stderr for people).
 */
export interface CliContext {
  env: Record<string, string | undefined>;
  clock: Clock;
  /** The command's result (for scripts and kubectl); resolves once the stream took it. */
  out(text: string): Promise<void>;
  /** One line for the person at the terminal. */
  say(line: string): void;
  /** stderr as it is, for a progress line rewritten in place (output/progress.ts). */
  terminal: { isTTY: boolean; columns: number | undefined; write(text: string): void };
  homeDir: string;
  /**
   * What runs this CLI, and so what a kubeconfig's exec entry runs: the Node binary and the
   * script, or (singleExecutable) one executable with the CLI inside (scripts/build-sea.ts).
   */
  self: { node: string; script: string; singleExecutable?: boolean };
  /** Our parent: kubectl, when it runs us as its exec plugin. */
  parentPid: number;
}

export function processContext(): CliContext {
  return {
    env: process.env,
    clock: systemClock,
    out: (text) =>
      new Promise((resolve) => {
        if (process.stdout.write(text)) resolve();
        else process.stdout.once("drain", resolve);
      }),
    say: (line) => {
      process.stderr.write(`${line}\n`);
    },
    // Getters: process.stderr is made on first use, which the cached credential path never needs.
    terminal: {
      get isTTY() {
        return process.stderr.isTTY === true;
      },
      get columns() {
        return process.stderr.columns;
      },
      write: (text) => {
        process.stderr.write(text);
      },
    },
    homeDir: homedir(),
    // A getter too: only kubeconfig and version ask, never the cached credential path.
    get self() {
      return process.getBuiltinModule("node:sea").isSea()
        ? { node: process.execPath, script: "", singleExecutable: true }
        : { node: process.execPath, script: process.argv[1] ?? "" };
    },
    parentPid: process.ppid,
  };
}
