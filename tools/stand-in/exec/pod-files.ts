/**
 * Each pod's files, in memory: what `kubectl cp` copies and `cat` reads. A pod starts with the
 * few files every container has (/etc/hostname holds the pod's name, as the kubelet mounts it)
 * and loses its files when it is deleted; a pod created again under the same name starts afresh,
 * as a new container would.
 */
import { posix } from "node:path";
import type { KubeObject } from "../objects.ts";
import type { ObjectStore } from "../store.ts";

export type FileEntry =
  | { type: "file"; data: Buffer; mode: number; mtime: number }
  | { type: "dir"; mode: number; mtime: number };

const now = () => Math.floor(Date.now() / 1000);

export class PodFilesystem {
  #entries = new Map<string, FileEntry>([["/", { type: "dir", mode: 0o755, mtime: now() }]]);

  /** Absolute and normalised against the container's working directory, "/". */
  static resolve(path: string, cwd = "/"): string {
    return posix.resolve(cwd, path);
  }

  stat(path: string): FileEntry | undefined {
    return this.#entries.get(PodFilesystem.resolve(path));
  }

  /** Creates the directory and its missing parents (mkdir -p). */
  mkdirs(path: string, mode = 0o755, mtime = now()): void {
    const full = PodFilesystem.resolve(path);
    if (full !== "/") this.mkdirs(posix.dirname(full));
    const existing = this.#entries.get(full);
    if (existing?.type === "file") throw new Error(`${path}: Not a directory`);
    if (!existing) this.#entries.set(full, { type: "dir", mode, mtime });
  }

  writeFile(path: string, data: Buffer | string, mode = 0o644, mtime = now()): void {
    const full = PodFilesystem.resolve(path);
    const parent = this.#entries.get(posix.dirname(full));
    if (parent?.type !== "dir") throw new Error(`${path}: Cannot open: No such file or directory`);
    if (this.#entries.get(full)?.type === "dir") throw new Error(`${path}: Cannot open: Is a directory`);
    this.#entries.set(full, { type: "file", data: Buffer.from(data), mode, mtime });
  }

  /** `path` and everything under it, parents before children, names sorted. */
  walk(path: string): [string, FileEntry][] {
    const full = PodFilesystem.resolve(path);
    const under = full === "/" ? "/" : `${full}/`;
    return [...this.#entries]
      .filter(([name]) => name === full || name.startsWith(under))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

export class PodFiles {
  #byUid = new Map<string, PodFilesystem>();

  constructor(store: ObjectStore) {
    store.subscribe((event) => {
      if (event.kind.resource === "pods" && event.type === "DELETED") {
        this.#byUid.delete(event.object.metadata.uid ?? "");
      }
    });
  }

  of(pod: KubeObject): PodFilesystem {
    const uid = pod.metadata.uid ?? "";
    let files = this.#byUid.get(uid);
    if (!files) {
      files = seeded(pod);
      this.#byUid.set(uid, files);
    }
    return files;
  }
}

function seeded(pod: KubeObject): PodFilesystem {
  const files = new PodFilesystem();
  for (const dir of ["/etc", "/tmp", "/root", "/var/log"]) files.mkdirs(dir);
  const name = pod.metadata.name ?? "";
  const ip = (pod.status as { podIP?: string } | undefined)?.podIP ?? "127.0.0.1";
  files.writeFile("/etc/hostname", `${name}\n`);
  files.writeFile("/etc/hosts", `127.0.0.1\tlocalhost\n${ip}\t${name}\n`);
  return files;
}
