import type { Clock } from "../shared/clock.ts";
import { deadlineReason } from "./end-reason.ts";

/**
 * The open connections of each grant on this replica (watches, log streams, exec and
 * port-forward sessions), so they can be cut the moment the grant ends: at its deadline by a
 * local timer, or when any replica announces an end. Each is closed with the reason, which
 * the connection passes on to its client where its protocol allows.
 */
export interface OpenConnection {
  close(reason: string): void;
  /**
   * A watch, followed log or upgraded session: open for as long as its grant, so a replica
   * shutting down ends it at once (the client reconnects elsewhere) instead of waiting.
   */
  stream?: boolean;
}

export class ConnectionRegistry {
  readonly #clock: Clock;
  readonly #byGrant = new Map<string, Set<OpenConnection>>();
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(options: { clock: Clock }) {
    this.#clock = options.clock;
  }

  /** Tracks a connection until `untrack` is called; returns that function. */
  track(grantId: string, expiresAt: number, connection: OpenConnection): () => void {
    let set = this.#byGrant.get(grantId);
    if (!set) {
      set = new Set();
      this.#byGrant.set(grantId, set);
      const timer = setTimeout(
        () => this.closeGrant(grantId, deadlineReason(grantId, expiresAt)),
        Math.max(0, expiresAt - this.#clock.now()),
      );
      timer.unref();
      this.#timers.set(grantId, timer);
    }
    set.add(connection);
    return () => {
      set.delete(connection);
      if (set.size === 0 && this.#byGrant.get(grantId) === set) this.#forget(grantId);
    };
  }

  /** Closes every open connection of a grant; returns how many. */
  closeGrant(grantId: string, reason: string): number {
    const set = this.#byGrant.get(grantId);
    this.#forget(grantId);
    if (!set) return 0;
    for (const connection of set) connection.close(reason);
    return set.size;
  }

  /** Whether any connection of the grant is open here (worth looking up why it ended). */
  has(grantId: string): boolean {
    return this.#byGrant.has(grantId);
  }

  get open(): number {
    let count = 0;
    for (const set of this.#byGrant.values()) count += set.size;
    return count;
  }

  /** Closes the long streams only; ordinary requests under way may finish. Returns how many. */
  closeStreams(reason: string): number {
    let closed = 0;
    for (const set of [...this.#byGrant.values()]) {
      for (const connection of [...set]) {
        if (!connection.stream) continue;
        connection.close(reason);
        closed++;
      }
    }
    return closed;
  }

  closeAll(reason: string): void {
    for (const grantId of [...this.#byGrant.keys()]) this.closeGrant(grantId, reason);
  }

  #forget(grantId: string): void {
    clearTimeout(this.#timers.get(grantId));
    this.#timers.delete(grantId);
    this.#byGrant.delete(grantId);
  }
}
