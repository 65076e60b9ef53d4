/**
 * Benchmarks run each part of the product in its own process, as it runs in production (the
 * broker apart from the API server, the load generator apart from both), so that one event
 * loop's work never shows up as another's latency. This is the small request/reply protocol
 * between the bench (parent) and those processes, over Node's IPC channel.
 */
import { type ChildProcess, fork } from "node:child_process";

interface Call {
  id: number;
  command: string;
  args: unknown;
}
interface Reply {
  id: number;
  value?: unknown;
  error?: string;
}

export interface Child {
  pid: number;
  call<T = unknown>(command: string, args?: unknown): Promise<T>;
  /** Asks the child to close (its "close" handler), then waits for it to exit. */
  close(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/**
 * Forks a child script (Node 24, the parent's flags, so `--cpu-prof` profiles it too, and then
 * `nodeFlags`: those the product ships with).
 */
export function startChild(script: URL, nodeFlags: string[] = []): Child {
  const child = fork(script, [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv: [...process.execArgv, ...nodeFlags],
  });
  children.add(child);
  const pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  let next = 1;
  child.on("message", (message: Reply) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error === undefined) waiter?.resolve(message.value);
    else waiter?.reject(new Error(`${script.pathname}: ${message.error}`));
  });
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      children.delete(child);
      for (const waiter of pending.values())
        waiter.reject(new Error(`${script.pathname} exited (${code ?? signal})`));
      pending.clear();
      resolve();
    }),
  );
  return {
    pid: child.pid!,
    call: <T>(command: string, args?: unknown) =>
      new Promise<T>((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, command, args } satisfies Call);
      }),
    close: async () => {
      if (child.exitCode === null && child.connected)
        child.send({ id: 0, command: "close", args: undefined });
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export type Handlers = Record<string, (args: never) => unknown>;

/** In a child: answers the parent's calls; "close" runs its handler, then exits. */
export function serveParent(handlers: Handlers): void {
  process.on("message", async ({ id, command, args }: Call) => {
    try {
      const handler = handlers[command] as ((args: unknown) => unknown) | undefined;
      if (!handler) throw new Error(`unknown command ${command}`);
      const value = await handler(args);
      if (command === "close") process.exit(0);
      process.send!({ id, value } satisfies Reply);
    } catch (err) {
      if (command === "close") process.exit(1);
      process.send!({
        id,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      } satisfies Reply);
    }
  });
  process.once("disconnect", () => process.exit(0));
}
