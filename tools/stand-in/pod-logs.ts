/**
 * What the pods "print": lines kept per pod (optionally per container), readers that follow
 * new lines, and the end of every follow when the pod is deleted — what a kubelet streams.
 */
import type { ObjectStore } from "./store.ts";

export interface LogLine {
  time: string;
  text: string;
  /** Undefined: printed by every container of the pod. */
  container?: string;
}

interface Follower {
  container: string;
  onLine(line: LogLine): void;
  onEnd(): void;
}

const keyOf = (namespace: string, pod: string) => `${namespace}/${pod}`;

export class PodLogs {
  #lines = new Map<string, LogLine[]>();
  #followers = new Map<string, Set<Follower>>();

  constructor(store: ObjectStore) {
    store.subscribe((event) => {
      if (event.kind.resource !== "pods" || event.type !== "DELETED") return;
      const key = keyOf(event.object.metadata.namespace!, event.object.metadata.name!);
      this.#lines.delete(key);
      for (const follower of this.#followers.get(key) ?? []) follower.onEnd();
      this.#followers.delete(key);
    });
  }

  append(namespace: string, pod: string, text: string, container?: string): void {
    const key = keyOf(namespace, pod);
    const line: LogLine = { time: new Date().toISOString(), text };
    if (container) line.container = container;
    this.#lines.set(key, [...(this.#lines.get(key) ?? []), line]);
    for (const follower of this.#followers.get(key) ?? []) {
      if (!line.container || line.container === follower.container) follower.onLine(line);
    }
  }

  lines(namespace: string, pod: string, container: string): LogLine[] {
    return (this.#lines.get(keyOf(namespace, pod)) ?? []).filter(
      (l) => !l.container || l.container === container,
    );
  }

  /** Calls back for each new line until the pod goes; returns the function that stops following. */
  follow(namespace: string, pod: string, follower: Follower): () => void {
    const key = keyOf(namespace, pod);
    const set = this.#followers.get(key) ?? new Set();
    set.add(follower);
    this.#followers.set(key, set);
    return () => set.delete(follower);
  }
}

/** `timestamps=true` prefix: RFC 3339 with nanoseconds, as the kubelet writes it. */
export function withTimestamp(line: LogLine): string {
  return `${line.time.replace(/\.(\d{3})Z$/, ".$1000000Z")} ${line.text}`;
}
