import { type Request, type RequestHandler, Router } from "express";
import { getPrincipal } from "../../http/principal.ts";
import type { Clock } from "../../shared/clock.ts";
import { Forbidden, Unavailable } from "../../shared/errors.ts";
import type { Principal } from "../../shared/principal.ts";
import { type AuditCursor, formatCursor, parseCursor } from "../audit-cursor.ts";
import type { AuditEntry } from "../record-fields.ts";
import { idJustBefore } from "../stream-ids.ts";
import { type AuditFilter, type AuditPage, type AuditQuery, matches } from "./audit-query-store.ts";
import type { TailSubscriberRequest, TailSubscription } from "./audit-tail.ts";
import { CURSOR_HINT, invalid, parseAuditParams, QUERY_PARAMS, STREAM_PARAMS } from "./query-params.ts";
import { type EventStream, openEventStream } from "./sse.ts";

/** What the routes read through; the Redis implementations are AuditQueryStore and AuditTail. */
export interface AuditReader {
  query(query: AuditQuery): Promise<AuditPage>;
  subscribe(request: TailSubscriberRequest): TailSubscription;
}

export interface AuditRoutesOptions {
  reader: AuditReader;
  /** Authenticates the caller (sets the principal); run before each audit route only. */
  requireSession: RequestHandler;
  isAdmin(principal: Principal): boolean;
  clock: Clock;
  /** How many shards the log has: cursors name a position in each (audit-cursor.ts). */
  shards: number;
  /** Comment lines that keep proxies from closing an idle stream. */
  heartbeatMs?: number;
}

const DEFAULT_LIMIT = 100;

/** GET /audit and GET /audit/stream, to be mounted under /v1. */
export function auditRoutes(options: AuditRoutesOptions): Router {
  const router = Router();

  router.get("/audit", options.requireSession, async (req, res) => {
    const principal = getPrincipal(res);
    const params = parseAuditParams(req.query, QUERY_PARAMS, options.clock.now(), options.shards);
    const page = await options.reader.query({
      ...params,
      filter: scopeToCaller(params.filter, principal, options.isAdmin),
      limit: params.limit ?? DEFAULT_LIMIT,
    });
    res.json({ items: page.items, nextCursor: page.nextCursor ? formatCursor(page.nextCursor) : null });
  });

  router.get("/audit/stream", options.requireSession, async (req, res) => {
    const principal = getPrincipal(res);
    const params = parseAuditParams(req.query, STREAM_PARAMS, options.clock.now(), options.shards);
    const filter = scopeToCaller(params.filter, principal, options.isAdmin);
    const after = resumePoint(req, params, options.shards);
    // Entries are held until the response is open, which waits for the starting point:
    // a client that has its headers may rely on seeing every record written after them.
    let stream: EventStream | undefined;
    let ended = false;
    const early: [AuditEntry, string][] = [];
    const subscription = options.reader.subscribe({
      ...(after ? { after } : {}),
      filter: (entry: AuditEntry) => matches(entry, filter),
      onEntries: (entries, cursors) => {
        entries.forEach((entry, i) => {
          if (!stream) early.push([entry, cursors[i]!]);
          else stream.send(cursors[i]!, entry);
        });
      },
      onClose: () => {
        ended = true;
        stream?.end();
      },
    });
    res.on("close", () => subscription.close());
    await subscription.started;
    if (res.destroyed) return subscription.close();
    if (ended)
      throw new Unavailable("the audit stream is shutting down; reconnect", {
        details: { retryAfterSeconds: 1 },
      });
    stream = openEventStream(req, res, { heartbeatMs: options.heartbeatMs ?? 15_000 });
    for (const [entry, cursor] of early) stream.send(cursor, entry);
    stream.onClose(() => subscription.close());
  });

  return router;
}

/**
 * Admins read everything. Anyone else reads only their own records: no `user` filter
 * means "mine", and naming someone else is refused rather than quietly narrowed.
 */
export function scopeToCaller(
  filter: AuditFilter,
  principal: Principal,
  isAdmin: (principal: Principal) => boolean,
): AuditFilter {
  if (isAdmin(principal)) return filter;
  if (filter.user === undefined) return { ...filter, user: principal.name };
  if (filter.user !== principal.name) {
    throw new Forbidden(
      `only admins may read other users' audit records; ${principal.name} may read their own`,
    );
  }
  return filter;
}

/**
 * Where a (re)connecting stream starts: Last-Event-ID, then ?after=, then ?since=, else
 * now. Checked before the stream opens: a bad one is a 422, not an empty stream.
 */
function resumePoint(
  req: Request,
  params: { after?: AuditCursor; since?: number },
  shards: number,
): AuditCursor | undefined {
  const lastEventId = req.get("last-event-id");
  if (lastEventId !== undefined) {
    const cursor = parseCursor(lastEventId, shards);
    if (!cursor) throw invalid("Last-Event-ID", CURSOR_HINT);
    return cursor;
  }
  if (params.after) return params.after;
  return params.since === undefined
    ? undefined
    : Array.from({ length: shards }, () => idJustBefore(params.since!));
}
