/**
 * Running the machine's real kubectl against the stand-in (or a gateway), isolated from the
 * user's own setup: its HOME, KUBECONFIG and discovery cache live in a temporary directory,
 * every run has a timeout, and long-running commands (get -w, logs -f) can be read while
 * they run and are killed by the caller.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlSandbox {
  /** The temporary HOME; kubeconfigs written here are private to the sandbox. */
  dir: string;
  /**
   * Runs kubectl with `--kubeconfig FILE` and waits for it to exit. `env` adds variables (e.g.
   * KUBE_EDITOR for `kubectl edit`) to the sandbox's.
   */
  run(
    kubeconfig: string,
    args: string[],
    options?: { input?: string; timeoutMs?: number; env?: Record<string, string> },
  ): Promise<KubectlResult>;
  /**
   * Starts a long-running kubectl; read `output()` and kill the process when done. `env` adds
   * variables (e.g. KUBECTL_PORT_FORWARD_WEBSOCKETS=false) to the sandbox's.
   */
  start(kubeconfig: string, args: string[], options?: { env?: Record<string, string> }): RunningKubectl;
  /** The arguments and environment run and start use, for running kubectl some other way (a terminal). */
  invocation(kubeconfig: string, args: string[], env?: Record<string, string>): KubectlInvocation;
  cleanup(): Promise<void>;
}

export interface KubectlInvocation {
  args: string[];
  env: Record<string, string>;
}

export interface RunningKubectl {
  process: ChildProcess;
  /** stdout so far. */
  output(): string;
  /** stderr so far. */
  errors(): string;
  /** Resolves when stdout contains `text`; rejects after the timeout with what was seen. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<string>;
  stop(): void;
}

/** Resolves with a running kubectl's exit code once it has ended (at once if it has; 1 for a signal). */
export function exitCode(p: RunningKubectl): Promise<number> {
  return new Promise<number>((resolve) => {
    if (p.process.exitCode !== null || p.process.signalCode !== null) resolve(p.process.exitCode ?? 1);
    else p.process.once("exit", (code) => resolve(code ?? 1));
  });
}

export async function kubectlSandbox(): Promise<KubectlSandbox> {
  const dir = await mkdtemp(join(tmpdir(), "kubectl-"));
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, KUBECONFIG: join(dir, "none") };
  const argsFor = (kubeconfig: string, args: string[]) => [
    "--kubeconfig",
    kubeconfig,
    "--cache-dir",
    join(dir, "cache"),
    ...args,
  ];
  const running = new Set<ChildProcess>();
  return {
    dir,
    invocation: (kubeconfig, args, extra = {}) => ({
      args: argsFor(kubeconfig, args),
      env: { ...env, ...extra },
    }),
    run: (kubeconfig, args, options = {}) =>
      new Promise((resolve) => {
        const child = execFile(
          "kubectl",
          argsFor(kubeconfig, args),
          { env: { ...env, ...options.env }, timeout: options.timeoutMs ?? 20_000 },
          (error, stdout, stderr) => {
            const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
        child.stdin?.end(options.input);
      }),
    start: (kubeconfig, args, options = {}) => {
      const child = spawn("kubectl", argsFor(kubeconfig, args), {
        env: { ...env, ...options.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      running.add(child);
      child.on("exit", () => running.delete(child));
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
      });
      const matches = (text: string | RegExp) =>
        typeof text === "string" ? stdout.includes(text) : text.test(stdout);
      return {
        process: child,
        output: () => stdout,
        errors: () => stderr,
        waitFor: async (text, timeoutMs = 10_000) => {
          const deadline = Date.now() + timeoutMs;
          while (!matches(text)) {
            if (Date.now() > deadline || child.exitCode !== null) {
              throw new Error(
                `kubectl ${args.join(" ")}: no ${text} in stdout ${JSON.stringify(stdout)} stderr ${JSON.stringify(stderr)}`,
              );
            }
            await new Promise((r) => setTimeout(r, 25));
          }
          return stdout;
        },
        stop: () => child.kill("SIGKILL"),
      };
    },
    cleanup: async () => {
      for (const child of running) child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    },
  };
}
