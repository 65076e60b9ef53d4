import { promisify } from "node:util";
import { constants, zstdCompress, zstdDecompress } from "node:zlib";
import { keyspace, type RedisClient } from "../shared/redis.ts";
import { renderCast } from "./recorded-events.ts";
import type { RecordingMeta, RecordingQuery, RecordingStore } from "./recording-store.ts";

const compress = promisify(zstdCompress);
const decompress = promisify(zstdDecompress);
/**
 * zstd's fastest levels: terminal output and piped files shrink several times over (log lines
 * some 15×) for about a millisecond of CPU per MiB, on libuv's thread pool rather than the
 * thread that relays sessions; Redis then receives and holds that much less.
 */
const ZSTD = {
  params: { [constants.ZSTD_c_compressionLevel]: 1 },
  // The output of a batch in one piece: each piece is a trip to the thread pool and back.
  chunkSize: 256 * 1024,
};

/**
 * Recordings in Redis. Each session's keys share a hash tag of their own, `{rec:<id>}`, so
 * that on Redis Cluster recordings spread over the masters: the events (a list of the batches
 * the recorder wrote, each compressed on its own: RPUSH costs Redis no copying, where APPEND to
 * one growing string reallocates it again and again), the typed lines (a list) and the meta
 * (JSON). An index of every recording by start time lives under `{recordings}`. Everything
 * expires after the retention.
 */
const PAGE = 200;

export class RedisRecordingStore implements RecordingStore {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #index: string;
  readonly #retentionSeconds: number;

  constructor(options: { redis: RedisClient; keyPrefix: string; retentionSeconds: number }) {
    this.#redis = options.redis;
    this.#prefix = options.keyPrefix;
    this.#index = keyspace(options.keyPrefix, "recordings")("index");
    this.#retentionSeconds = options.retentionSeconds;
  }

  async start(meta: RecordingMeta): Promise<void> {
    const { meta: metaKey } = this.#keys(meta.id);
    await this.#redis
      .multi()
      .set(metaKey, JSON.stringify(meta), "EX", this.#retentionSeconds)
      .exec()
      .then(failOnError);
    const oldest = meta.startedAt - this.#retentionSeconds * 1000;
    await this.#redis
      .multi()
      .zadd(this.#index, meta.startedAt, meta.id)
      .zremrangebyscore(this.#index, "-inf", `(${oldest}`)
      .exec()
      .then(failOnError);
  }

  async append(meta: RecordingMeta, events: Buffer[], typed: string[]): Promise<void> {
    const keys = this.#keys(meta.id);
    const batches = await Promise.all(events.map((piece) => compress(piece, ZSTD)));
    const multi = this.#redis.multi();
    if (batches.length > 0) multi.rpush(keys.events, ...batches).expire(keys.events, this.#retentionSeconds);
    if (typed.length > 0) multi.rpush(keys.typed, ...typed).expire(keys.typed, this.#retentionSeconds);
    multi.set(keys.meta, JSON.stringify(meta), "KEEPTTL");
    await multi.exec().then(failOnError);
  }

  async get(id: string): Promise<RecordingMeta | undefined> {
    const json = await this.#redis.get(this.#keys(id).meta);
    return json ? (JSON.parse(json) as RecordingMeta) : undefined;
  }

  async cast(id: string): Promise<string | undefined> {
    const batches = await this.#redis.lrangeBuffer(this.#keys(id).events, 0, -1);
    if (batches.length === 0) return undefined;
    return renderCast(await Promise.all(batches.map((batch) => decompress(batch))));
  }

  typed(id: string): Promise<string[]> {
    return this.#redis.lrange(this.#keys(id).typed, 0, -1);
  }

  async list(query: RecordingQuery): Promise<RecordingMeta[]> {
    const found: RecordingMeta[] = [];
    const seen = new Set<string>();
    // Newest first, a page of ids at a time, until `limit` recordings match the filters. A
    // recording started meanwhile shifts the pages by one: `seen` drops the repeat.
    for (let offset = 0; ; offset += PAGE) {
      const ids = await this.#redis.zrevrangebyscore(this.#index, "+inf", query.since, "LIMIT", offset, PAGE);
      const pipeline = this.#redis.pipeline();
      for (const id of ids) pipeline.get(this.#keys(id).meta);
      const metas = ids.length > 0 ? ((await pipeline.exec()) ?? []) : [];
      for (const [err, json] of metas) {
        if (err) throw err;
        if (typeof json !== "string") continue; // expired since the index was trimmed
        const meta = JSON.parse(json) as RecordingMeta;
        if (seen.has(meta.id) || !matches(meta, query)) continue;
        seen.add(meta.id);
        found.push(meta);
        if (found.length >= query.limit) return found;
      }
      if (ids.length < PAGE) return found;
    }
  }

  #keys(id: string) {
    const base = `${this.#prefix}{rec:${id}}`;
    return { meta: `${base}:meta`, events: `${base}:events`, typed: `${base}:typed` };
  }
}

function matches(meta: RecordingMeta, query: RecordingQuery): boolean {
  return (
    (query.user === undefined || meta.user === query.user) &&
    (query.cluster === undefined || meta.cluster === query.cluster) &&
    (query.namespace === undefined || meta.namespace === query.namespace) &&
    (query.pod === undefined || meta.pod === query.pod)
  );
}

/** MULTI answers each command's error in place; any of them fails the whole write. */
function failOnError(results: [Error | null, unknown][] | null): void {
  if (!results) throw new Error("the recording write was discarded");
  for (const [err] of results) if (err) throw err;
}
