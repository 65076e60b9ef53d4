import { backoffMs, sleep } from "./backoff.ts";
import { Lease } from "./lease.ts";
import type { Logger } from "./logger.ts";
import { ensureConsumerGroup, type RedisClient, whenReady } from "./redis.ts";

/** An entry as XREADGROUP returns it; the fields are null when the entry was trimmed meanwhile. */
export type StreamEntry = [id: string, fields: string[] | null];

/** Thrown by a batch handler that found the stream out of order: read again from the pending start. */
export class ReadAgain extends Error {}

/** Thrown when the lease is no longer ours: stop reading and wait to get it back. */
export class LeaseLost extends Error {}

export interface LeasedStreamReaderOptions {
  /** For the lease. */
  redis: RedisClient;
  /** A connection of its own (dedicatedConnection), for the blocking XREADGROUP and the acks. */
  connection: RedisClient;
  stream: string;
  group: string;
  /** This replica's consumer name in the group, and its lease token. */
  holder: string;
  leaseKey: string;
  leaseTtlMs?: number;
  batch: number;
  blockMs?: number;
  logger: Logger;
  /**
   * Where the group starts when it is made for the first time: at the stream's beginning
   * (the default: what the stream already holds is read too), or at its end, for work about
   * what happens from then on (alerts). Once made, the group keeps its place across restarts.
   */
  startAt?: "beginning" | "end";
  /** For the log line when Redis fails: "audit export", "usage aggregation". */
  what: string;
  /**
   * One batch, in stream order; acknowledging it (connection.call("xack", …)) is the
   * handler's, once the batch's work is safe. Throws LeaseLost or ReadAgain as they apply.
   */
  handle(batch: StreamEntry[]): Promise<void>;
}

/**
 * Reads one stream through a consumer group, one replica at a time under a lease: the audit
 * export and the usage aggregates each keep a position per audit shard this way.
 *
 * The group is created at the stream's beginning (unless `startAt` says its end), so what the
 * stream already holds is read too. On taking the lease the reader claims what earlier holders read but never
 * acknowledged (one may have died between doing the work and acking it) and forgets
 * consumers with nothing pending, then reads its own pending entries from the start, then
 * new ones, so the handler sees the stream in order. A holder that cannot renew its lease
 * stops before reading more; Redis failures pause it with backoff.
 */
export class LeasedStreamReader {
  readonly #options: LeasedStreamReaderOptions;
  readonly #lease: Lease;
  readonly #ttlMs: number;
  readonly #stopping = new AbortController();
  #loop: Promise<void> | undefined;
  #renewedAt = Number.NEGATIVE_INFINITY;
  /** Waiting in XREADGROUP BLOCK, which stop() cuts by closing the connection. */
  #blocked = false;

  constructor(options: LeasedStreamReaderOptions) {
    this.#options = options;
    this.#ttlMs = options.leaseTtlMs ?? 30_000;
    this.#lease = new Lease({
      redis: options.redis,
      key: options.leaseKey,
      ttlMs: this.#ttlMs,
      holder: options.holder,
    });
  }

  /** Aborted once stop() is called: a handler's retries end with it. */
  get stopping(): AbortSignal {
    return this.#stopping.signal;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * Stops after the batch under way (handled and acknowledged, so it is not handled twice);
   * a blocking read is cut at once. Then gives the lease up, so another replica goes on.
   */
  async stop(): Promise<void> {
    this.#stopping.abort();
    if (this.#blocked) this.#options.connection.disconnect();
    await this.#loop;
    await this.#lease.release().catch(() => {});
  }

  /** Renews the lease when a third of its life has passed; false once it is not ours. */
  async holdLease(): Promise<boolean> {
    // Real time, not the clock: the lease's TTL runs in Redis, whatever the clock says.
    if (performance.now() - this.#renewedAt < this.#ttlMs / 3) return true;
    const held = await this.#lease.acquire().catch(() => false);
    this.#renewedAt = held ? performance.now() : Number.NEGATIVE_INFINITY;
    return held;
  }

  async #run(): Promise<void> {
    const signal = this.#stopping.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        await this.#connected(signal);
        if (signal.aborted) break;
        if (await this.holdLease()) {
          await this.#readWhileHolding();
          failures = 0;
        } else {
          await sleep(this.#ttlMs / 3, signal);
        }
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof ReadAgain) continue;
        if (!(err instanceof LeaseLost)) {
          this.#options.logger.warn(
            { err: (err as Error).message },
            `${this.#options.what} paused: Redis failed`,
          );
        }
        await sleep(backoffMs(failures++, { initialMs: 200, maxMs: 10_000 }), signal);
      }
    }
  }

  /**
   * Its own connection is made without an offline queue, so a command before it is up fails:
   * wait for it instead (at start, and after Redis was away), rather than log a failure.
   */
  async #connected(signal: AbortSignal): Promise<void> {
    await whenReady(this.#options.connection, signal);
  }

  async #readWhileHolding(): Promise<void> {
    const { connection, group, holder, stream } = this.#options;
    await ensureConsumerGroup(connection, stream, group, this.#options.startAt === "end" ? "$" : "0");
    await this.#claimOrphans();
    // First what this consumer holds unacknowledged (after a restart or a claim), then new.
    let pendingFrom: string | undefined = "0-0";
    while (!this.#stopping.signal.aborted) {
      if (!(await this.holdLease())) throw new LeaseLost();
      const count = String(this.#options.batch);
      const args = pendingFrom
        ? ["COUNT", count, "STREAMS", stream, pendingFrom]
        : ["COUNT", count, "BLOCK", String(this.#options.blockMs ?? 2000), "STREAMS", stream, ">"];
      this.#blocked = !pendingFrom;
      const reply = (await connection.call("xreadgroup", "GROUP", group, holder, ...args).finally(() => {
        this.#blocked = false;
      })) as [string, StreamEntry[]][] | null;
      const batch = reply?.[0]?.[1] ?? [];
      if (pendingFrom) pendingFrom = batch.length === 0 ? undefined : batch.at(-1)![0];
      if (batch.length > 0) await this.#options.handle(batch);
    }
  }

  /** Takes over what other consumers (earlier holders) read but never acknowledged. */
  async #claimOrphans(): Promise<void> {
    const { connection, group, holder, stream } = this.#options;
    let cursor = "0-0";
    do {
      const reply = (await connection.call(
        "xautoclaim",
        stream,
        group,
        holder,
        0,
        cursor,
        "COUNT",
        1000,
        "JUSTID",
      )) as [string, string[]];
      cursor = reply[0];
    } while (cursor !== "0-0");
    const consumers = (await connection.call("xinfo", "CONSUMERS", stream, group)) as unknown[][];
    for (const fields of consumers) {
      const info = Object.fromEntries(
        Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i], fields[2 * i + 1]]),
      );
      if (info.name !== holder && Number(info.pending) === 0) {
        await connection.call("xgroup", "DELCONSUMER", stream, group, String(info.name));
      }
    }
  }
}
