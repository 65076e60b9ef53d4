import { compareStreamIds, parseStreamId, type RawEntry } from "../audit/index.ts";
import { dedicatedConnection, type RedisClient, whenReady } from "../shared/redis.ts";
import type { alertLogKeys } from "./alert-log-keys.ts";
import type { Alert, Severity } from "./alert-rule.ts";

/** An alert as the log holds it, with its place in the log (the paging cursor). */
export type LoggedAlert = Alert & { streamId: string };

export interface AlertQuery {
  /** From this time on (ms). */
  since: number;
  /** At least this severity. */
  severity?: Severity;
  rule?: string;
  user?: string;
  cluster?: string;
  /** Older than this stream ID: the previous page's nextCursor. */
  before?: string;
  limit: number;
}

export interface AlertPage {
  items: LoggedAlert[];
  nextCursor: string | null;
}

/** What the routes read through. */
export interface AlertLogReader {
  list(query: AlertQuery): Promise<AlertPage>;
  get(alertId: string): Promise<LoggedAlert | undefined>;
  /** Calls `onAlert` for each alert logged after `after` (a stream ID), until `signal` aborts. */
  follow(after: string, onAlert: (alert: LoggedAlert) => void, signal: AbortSignal): Promise<void>;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
/** Entries read per round trip, and at most per page, so a rare match never scans the whole log. */
const CHUNK = 500;
const MAX_SCANNED = 20_000;

/**
 * Reads the alert log, newest first. Alerts are few next to audit records (one per rule
 * firing, kept alerts.retention), so filters apply as it reads; a page stops after
 * MAX_SCANNED entries and says where to go on.
 */
export class RedisAlertLog implements AlertLogReader {
  readonly #redis: RedisClient;
  readonly #keys: ReturnType<typeof alertLogKeys>;

  constructor(options: { redis: RedisClient; keys: ReturnType<typeof alertLogKeys> }) {
    this.#redis = options.redis;
    this.#keys = options.keys;
  }

  async list(query: AlertQuery): Promise<AlertPage> {
    const items: LoggedAlert[] = [];
    let end = query.before ? `(${query.before}` : "+";
    let scanned = 0;
    for (;;) {
      const raw = (await this.#redis.call(
        "xrevrange",
        this.#keys.log,
        end,
        String(query.since),
        "COUNT",
        CHUNK,
      )) as RawEntry[];
      for (const entry of raw) {
        const alert = toAlert(entry);
        if (alert && matches(alert, query)) items.push(alert);
        if (items.length === query.limit) return { items, nextCursor: entry[0] };
      }
      scanned += raw.length;
      if (raw.length < CHUNK) return { items, nextCursor: null };
      end = `(${raw.at(-1)![0]}`;
      if (scanned >= MAX_SCANNED) return { items, nextCursor: raw.at(-1)![0] };
    }
  }

  async get(alertId: string): Promise<LoggedAlert | undefined> {
    const streamId = await this.#redis.get(this.#keys.claim(alertId));
    if (!streamId || !parseStreamId(streamId)) return undefined;
    const raw = (await this.#redis.call("xrange", this.#keys.log, streamId, streamId)) as RawEntry[];
    return raw[0] ? toAlert(raw[0]) : undefined;
  }

  async follow(after: string, onAlert: (alert: LoggedAlert) => void, signal: AbortSignal): Promise<void> {
    // A blocking read holds its connection: one of its own per follower, closed when it ends.
    const connection = dedicatedConnection(this.#redis);
    const stop = () => connection.disconnect();
    signal.addEventListener("abort", stop, { once: true });
    let last = after;
    try {
      await whenReady(connection, signal);
      while (!signal.aborted) {
        const reply = (await connection.call(
          "xread",
          "COUNT",
          100,
          "BLOCK",
          10_000,
          "STREAMS",
          this.#keys.log,
          last,
        )) as [string, RawEntry[]][] | null;
        for (const entry of reply?.[0]?.[1] ?? []) {
          if (compareStreamIds(entry[0], last) > 0) last = entry[0];
          const alert = toAlert(entry);
          if (alert) onAlert(alert);
        }
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      signal.removeEventListener("abort", stop);
      connection.disconnect();
    }
  }
}

function toAlert([streamId, fields]: RawEntry): LoggedAlert | undefined {
  const json = fields?.[fields.indexOf("alert") + 1];
  return fields && json ? { ...(JSON.parse(json) as Alert), streamId } : undefined;
}

export function matches(alert: Alert, query: Omit<AlertQuery, "since" | "limit" | "before">): boolean {
  if (query.severity && RANK[alert.severity] < RANK[query.severity]) return false;
  if (query.rule && alert.rule !== query.rule) return false;
  if (query.user && alert.record.user !== query.user) return false;
  if (query.cluster && alert.record.cluster !== query.cluster) return false;
  return true;
}
