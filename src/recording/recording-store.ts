import type { RecordingMode } from "../config/recording-schema.ts";

/** What a recording is of, and how it went: kept beside the cast, listed and searched. */
export interface RecordingMeta {
  /** The id of the exec or attach request's audit records: the two link by it. */
  id: string;
  user: string;
  grant: string;
  grantKind?: string;
  role: string;
  cluster: string;
  namespace: string;
  pod: string;
  container?: string;
  /** exec's command; empty for attach. */
  command: string[];
  subresource: "exec" | "attach";
  tty: boolean;
  /** The wire protocol the session used: websocket (v5/v4.channel.k8s.io) or spdy. */
  protocol: string;
  mode: RecordingMode;
  /** Milliseconds since the epoch. */
  startedAt: number;
  endedAt?: number;
  state: "recording" | "ended";
  /**
   * Bytes recorded so far: what went each way, plus a few bytes per event for its time and
   * stream (recorded-events.ts). The size cap counts these; Redis holds them compressed.
   */
  bytes: number;
  /** The cap was reached: the recording stops there and says so. */
  truncated: boolean;
  /** Some of the session could not be written (best-effort mode, Redis away). */
  lost: boolean;
  /** How the session ended: the program's Status message, or why the broker cut it. */
  ending?: string;
}

export interface RecordingQuery {
  user?: string;
  cluster?: string;
  namespace?: string;
  pod?: string;
  /** Milliseconds since the epoch: recordings started at or after. */
  since: number;
  limit: number;
}

/**
 * Where recordings live; the Redis implementation is RedisRecordingStore. Each session's
 * recorder is the only writer of its recording, so it passes the whole meta every time.
 */
export interface RecordingStore {
  /** Creates the recording; throws when it cannot (required mode refuses the session then). */
  start(meta: RecordingMeta): Promise<void>;
  /**
   * Appends recorded events (recorded-events.ts: buffers of whole records, in order) and
   * completed typed lines, and saves `meta`.
   */
  append(meta: RecordingMeta, events: Buffer[], typed: string[]): Promise<void>;
  get(id: string): Promise<RecordingMeta | undefined>;
  /** The asciicast v2 text: header and events (renderCast of every batch appended). */
  cast(id: string): Promise<string | undefined>;
  typed(id: string): Promise<string[]>;
  /** Newest first. */
  list(query: RecordingQuery): Promise<RecordingMeta[]>;
}
