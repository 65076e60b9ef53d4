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
  homeDir: string;
  /** The Node binary and script running this CLI: what a kubeconfig's exec entry runs. */
  self: { node: string; script: string };
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
    homeDir: homedir(),
    self: { node: process.execPath, script: process.argv[1] ?? "" },
    parentPid: process.ppid,
  };
}
