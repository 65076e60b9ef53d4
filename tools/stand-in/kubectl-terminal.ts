/**
 * The real kubectl on a real pseudo-terminal, for interactive sessions (`exec -it`, `attach
 * -it`): kubectl runs in a detached tmux pane of a private tmux server (its own socket, no user
 * configuration), so it sees a TTY, puts it in raw mode and sends the pane's size and its
 * changes, while the test types keys, resizes the window and reads the screen. The pane stays
 * after kubectl exits so its last screen can be read.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { KubectlInvocation } from "./kubectl.ts";

const run = promisify(execFile);

export interface KubectlTerminal {
  /** Types text as it is (no key names). */
  type(text: string): Promise<void>;
  /** Presses keys by tmux name: Enter, BSpace, C-d, … */
  press(...keys: string[]): Promise<void>;
  /** What the pane shows and has scrolled away, trailing blank lines dropped. */
  screen(): Promise<string>;
  /** Resolves with the screen once it matches; rejects after the timeout with what was seen. */
  waitFor(match: string | RegExp | ((screen: string) => boolean), timeoutMs?: number): Promise<string>;
  /** Resizes the window (kubectl sees SIGWINCH and sends the new size). */
  resize(cols: number, rows: number): Promise<void>;
  /** Resolves with kubectl's exit code once it has exited. */
  exitCode(timeoutMs?: number): Promise<number>;
  /** Ends kubectl and the tmux server. */
  close(): Promise<void>;
}

/** One word for `sh -c`: single-quoted. */
const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

async function waitUntil<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(what());
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts kubectl (as `sandbox.invocation(…)` gives it) in a `cols`×`rows` terminal. */
export async function kubectlInTerminal(
  kubectl: KubectlInvocation,
  size: { cols: number; rows: number } = { cols: 100, rows: 30 },
): Promise<KubectlTerminal> {
  const dir = await mkdtemp(join(tmpdir(), "kubectl-tty-"));
  const tmux = (...args: string[]) => run("tmux", ["-S", join(dir, "tmux.sock"), "-f", "/dev/null", ...args]);
  const variables = Object.entries(kubectl.env).map(([name, value]) => quote(`${name}=${value}`));
  // The shell writes kubectl's exit code to a file: tmux's #{pane_dead_status} is sometimes left empty.
  const exitFile = join(dir, "exit-code");
  const command = `${["env", "-i", ...variables, "kubectl", ...kubectl.args.map(quote)].join(" ")}; echo $? > ${quote(exitFile)}`;
  // A first session sets the option before kubectl's pane exists, so even a fast exit is kept.
  await tmux("new-session", "-d", "-s", "idle", ";", "set-option", "-g", "remain-on-exit", "on");
  await tmux("new-session", "-d", "-s", "kubectl", "-x", String(size.cols), "-y", String(size.rows), command);
  // Without tmux's own "Pane is dead (status N, …)" line, once kubectl has exited.
  const screen = async () =>
    (await tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "kubectl")).stdout
      .replace(/\nPane is dead \(.*\)\s*$/, "")
      .replace(/\s+$/, "");
  const matches = (match: string | RegExp | ((screen: string) => boolean), text: string) =>
    typeof match === "string"
      ? text.includes(match)
      : match instanceof RegExp
        ? match.test(text)
        : match(text);
  let last = "";
  return {
    type: async (text) => {
      await tmux("send-keys", "-t", "kubectl", "-l", text);
    },
    press: async (...keys) => {
      await tmux("send-keys", "-t", "kubectl", ...keys);
    },
    screen,
    waitFor: (match, timeoutMs = 10_000) =>
      waitUntil(
        async () => {
          last = await screen();
          return matches(match, last) ? last : undefined;
        },
        timeoutMs,
        () => `kubectl ${kubectl.args.join(" ")}: no ${match} on the screen:\n${last}`,
      ),
    resize: async (cols, rows) => {
      await tmux("resize-window", "-t", "kubectl", "-x", String(cols), "-y", String(rows));
    },
    exitCode: (timeoutMs = 10_000) =>
      waitUntil(
        async () => {
          last = await screen();
          const code = await readFile(exitFile, "utf8").catch(() => "");
          return code.endsWith("\n") ? Number(code) : undefined;
        },
        timeoutMs,
        () => `kubectl ${kubectl.args.join(" ")} did not exit; the screen:\n${last}`,
      ),
    close: async () => {
      await tmux("kill-server").catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
