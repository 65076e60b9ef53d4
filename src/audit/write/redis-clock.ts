import type { RedisClient } from "../../shared/redis.ts";
import { serverTimeMs } from "./append-script.ts";

/** Replies slower than this say too little about when the server read its clock. */
const MAX_SAMPLE_RTT_MS = 25;
const CALIBRATION_ROUNDS = 3;

interface Offset {
  /** Server time minus local performance.now(), a lower bound (see sample()). */
  ms: number;
  rttMs: number;
}

/**
 * The writer's estimate of each Redis node's clock, so that it can tell the append script
 * "append nothing after the moment I give up" in the server's own time. Kept per stream
 * key: on a Cluster each shard's node has a clock of its own. Local time is
 * performance.now(), which neither NTP nor an operator can step.
 *
 * The server read its clock somewhere between sending and receiving, so
 * `server - receivedAt` is never more than the true offset. The writer uses that lower
 * bound, which makes the server's deadline fall at or before the writer's own: the script
 * may refuse a record a moment early (the writer then spools or refuses it, as it would a
 * moment later), never append one after the writer gave up. Only replies with a small
 * round trip update the estimate: a reply that sat behind a stall, or in a busy event loop,
 * would pull the bound back by the whole delay and make later writes look late.
 */
export class RedisClock {
  readonly #offsets = new Map<string, Offset>();

  /** A reply's server time, with when its command was sent and its answer received. */
  sample(key: string, sentAt: number, receivedAt: number, serverMs: number): void {
    const rttMs = receivedAt - sentAt;
    const known = this.#offsets.get(key);
    if (known && rttMs > MAX_SAMPLE_RTT_MS && rttMs > known.rttMs) return;
    this.#offsets.set(key, { ms: serverMs - receivedAt, rttMs });
  }

  /** The server time for the local moment `localMs`, or undefined before calibration. */
  serverTime(key: string, localMs: number): number | undefined {
    const offset = this.#offsets.get(key);
    return offset === undefined ? undefined : localMs + offset.ms;
  }

  /** After a reconnect the server may be another one (a failover): estimate anew. */
  forget(key?: string): void {
    if (key === undefined) this.#offsets.clear();
    else this.#offsets.delete(key);
  }

  /** A few TIME round trips, keeping the one with the smallest round trip. */
  async calibrate(redis: RedisClient, key: string): Promise<void> {
    let best: { sentAt: number; receivedAt: number; serverMs: number } | undefined;
    for (let round = 0; round < CALIBRATION_ROUNDS; round++) {
      const sentAt = performance.now();
      const serverMs = await serverTimeMs(redis, key);
      const receivedAt = performance.now();
      if (!best || receivedAt - sentAt < best.receivedAt - best.sentAt)
        best = { sentAt, receivedAt, serverMs };
    }
    if (best) {
      this.#offsets.delete(key);
      this.sample(key, best.sentAt, best.receivedAt, best.serverMs);
    }
  }
}
