/**
 * Each pod's main process, what `kubectl attach` connects to: a shell (shell.ts), started at the
 * first attach rather than with the pod, on a terminal when the container asks for one
 * (`tty: true`). It outlives its attach sessions, as a container's process does: what one
 * session types, the next one sees the result of; every attached session gets its output, and
 * an attaching client's terminal size becomes its terminal's. Stdin reaches it only when the
 * container has one (`stdin: true`); a client ending its stdin does not end the process's
 * (no `stdinOnce`). When it exits (`exit`), every attach ends with Success and the next attach
 * starts a new one, as the kubelet restarts a container; it is killed with its pod.
 */
import { PassThrough } from "node:stream";
import type { Container } from "../behaviours/pods.ts";
import type { KubeObject } from "../objects.ts";
import type { ObjectStore } from "../store.ts";
import { type ExecIo, runCommand } from "./commands.ts";
import type { PodFilesystem } from "./pod-files.ts";
import type { RemoteProgram } from "./remote-command.ts";
import { TerminalSize } from "./terminal.ts";

type Output = (stream: "stdout" | "stderr", data: string | Buffer) => void;

export class MainProcess {
  readonly #input = new PassThrough();
  readonly #attached = new Set<Output>();
  readonly #killed = new AbortController();
  readonly #container: Container;
  readonly #terminal = new TerminalSize();
  readonly exited: Promise<number>;

  constructor(pod: KubeObject, container: Container, files: PodFilesystem) {
    this.#container = container;
    const io: ExecIo = {
      stdin: this.#input,
      stdout: (data) => this.#emit("stdout", data),
      stderr: (data) => this.#emit("stderr", data),
      signal: this.#killed.signal,
      username: "root",
      podName: pod.metadata.name ?? "",
      files,
      cwd: "/",
      tty: container.tty === true,
      terminal: this.#terminal,
    };
    this.exited = runCommand(["sh"], io).catch(() => 1);
  }

  #emit(stream: "stdout" | "stderr", data: string | Buffer): void {
    for (const output of this.#attached) output(stream, data);
  }

  kill(): void {
    this.#killed.abort();
    this.#input.end();
  }

  /** One attach session; resolves when the process exits or the client leaves. */
  readonly program: RemoteProgram = {
    failure: "error attaching to container",
    run: async (io) => {
      const output: Output = (stream, data) => (stream === "stdout" ? io.stdout(data) : io.stderr(data));
      this.#attached.add(output);
      let attached = true;
      // Typing reaches the process while attached, when the container has a stdin.
      void (async () => {
        for await (const chunk of io.stdin) {
          if (attached && this.#container.stdin && !this.#input.writableEnded) this.#input.write(chunk);
        }
      })();
      io.terminal.onResize = (size) => this.#terminal.set(size.rows, size.cols);
      const left = new Promise<number>((resolve) => io.signal.addEventListener("abort", () => resolve(0)));
      try {
        await Promise.race([this.exited, left]);
        return 0;
      } finally {
        attached = false;
        this.#attached.delete(output);
      }
    },
  };
}

/** The main process of each container, by pod UID and container name, while it runs. */
export class MainProcesses {
  readonly #running = new Map<string, MainProcess>();

  constructor(store: ObjectStore) {
    store.subscribe((event) => {
      if (event.kind.resource !== "pods" || event.type !== "DELETED") return;
      const prefix = `${event.object.metadata.uid}/`;
      for (const [key, main] of this.#running) {
        if (!key.startsWith(prefix)) continue;
        main.kill();
        this.#running.delete(key);
      }
    });
  }

  of(pod: KubeObject, container: Container, files: PodFilesystem): MainProcess {
    const key = `${pod.metadata.uid}/${container.name}`;
    const running = this.#running.get(key);
    if (running) return running;
    const started = new MainProcess(pod, container, files);
    this.#running.set(key, started);
    started.exited.then(() => {
      if (this.#running.get(key) === started) this.#running.delete(key);
    });
    return started;
  }

  close(): void {
    for (const main of this.#running.values()) main.kill();
    this.#running.clear();
  }
}
