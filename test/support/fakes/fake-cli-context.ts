import type { CliContext } from "../../../src/cli/context.ts";
import { ManualClock } from "./manual-clock.ts";

/**
 * A CliContext that keeps what a command printed, with a manual clock. `terminal` is stderr
 * written as it is (a progress line); `tty` makes it a terminal of that many columns.
 */
export function fakeContext(
  env: Record<string, string | undefined> = {},
  homeDir = "/nonexistent",
  options: { tty?: { columns: number } } = {},
) {
  const printed = { stdout: "", stderr: "" };
  const clock = new ManualClock();
  const ctx: CliContext = {
    env,
    clock,
    out: async (text) => {
      printed.stdout += text;
    },
    say: (line) => {
      printed.stderr += `${line}\n`;
    },
    terminal: {
      isTTY: options.tty !== undefined,
      columns: options.tty?.columns,
      write: (text) => {
        printed.stderr += text;
      },
    },
    homeDir,
    self: { node: "/opt/node24/bin/node", script: "/opt/kube-broker/dist/kubectl-broker.js" },
    parentPid: 4242,
  };
  return { ctx, printed, clock };
}
