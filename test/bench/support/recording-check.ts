/**
 * Reads back what the recorder wrote for a benchmarked session, straight from Redis: that the
 * recording ended whole (not lost, not truncated), that its recorded size is what its meta
 * says, and that its stdin and stdout events, joined, are exactly the payload, so the figure is
 * of a recording that kept everything; and how much Redis holds for it (compressed).
 */
import { zstdDecompressSync } from "node:zlib";
import { Redis } from "ioredis";
import type { RecordingMeta } from "../../../src/recording/index.ts";
import { RedisRecordingStore } from "../../../src/recording/redis-recording-store.ts";
import { parseCast } from "../../../src/shared/asciicast.ts";

export interface CastCheck {
  /** Bytes recorded (the meta's count: data each way and a few bytes per event). */
  recorded: number;
  /** Bytes Redis holds for the events: the compressed batches. */
  held: number;
  /** Bytes of the asciicast it plays as. */
  cast: number;
  events: number;
  problems: string[];
}

export class RecordingReader {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #store: RedisRecordingStore;

  constructor(redis: { url: string; keyPrefix: string }) {
    this.#client = new Redis(redis.url);
    this.#prefix = redis.keyPrefix;
    this.#store = new RedisRecordingStore({
      redis: this.#client,
      keyPrefix: redis.keyPrefix,
      retentionSeconds: 3600,
    });
  }

  /** Every recording of `grant` there is now. */
  async of(grant: string): Promise<RecordingMeta[]> {
    const all = await this.#store.list({ since: 0, limit: 100_000 });
    return all.filter((meta) => meta.grant === grant);
  }

  /** The one recording of `grant` not in `seen`, once it has ended (its last write is done). */
  async ended(grant: string, seen: Set<string>, timeoutMs = 60_000): Promise<RecordingMeta> {
    for (const deadline = performance.now() + timeoutMs; performance.now() < deadline; ) {
      const fresh = (await this.of(grant)).filter((meta) => !seen.has(meta.id));
      if (fresh.length > 1) throw new Error(`${fresh.length} new recordings for one session`);
      if (fresh[0]?.state === "ended") return fresh[0];
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no ended recording of grant ${grant} within ${timeoutMs} ms`);
  }

  async check(meta: RecordingMeta, payload: string): Promise<CastCheck> {
    const problems: string[] = [];
    if (meta.lost) problems.push("lost: part of the session was not written");
    if (meta.truncated) problems.push("truncated at the size cap");
    const batches = await this.#client.lrangeBuffer(this.#keys(meta.id).events, 0, -1);
    const held = batches.reduce((sum, batch) => sum + batch.length, 0);
    const recorded = batches.reduce((sum, batch) => sum + zstdDecompressSync(batch).length, 0);
    if (recorded !== meta.bytes) problems.push(`meta says ${meta.bytes} bytes, Redis has ${recorded}`);
    const text = (await this.#store.cast(meta.id)) ?? "";
    const cast = parseCast(text);
    const joined = { i: [] as string[], o: [] as string[] };
    for (const [, code, data] of cast.events) {
      if (code === "i" || code === "o") joined[code].push(data);
      else if (code === "m") problems.push(`it says: ${data}`);
    }
    if (joined.i.join("") !== payload) problems.push("stdin in the cast is not the payload");
    if (joined.o.join("") !== payload) problems.push("stdout in the cast is not the payload");
    return { recorded, held, cast: Buffer.byteLength(text), events: cast.events.length, problems };
  }

  /**
   * A checked cast is deleted, so that Redis holds one session's cast at a time: each run
   * then costs the same, rather than the dataset (and its append-only-file rewrites) growing.
   */
  async drop(id: string): Promise<void> {
    const keys = this.#keys(id);
    await this.#client.unlink(keys.events, keys.typed);
  }

  close(): void {
    this.#client.disconnect();
  }

  /** RedisRecordingStore's keys, which it keeps to itself (it never deletes; retention does). */
  #keys(id: string) {
    const base = `${this.#prefix}{rec:${id}}`;
    return { events: `${base}:events`, typed: `${base}:typed` };
  }
}
