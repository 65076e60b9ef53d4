import { type Request, Router } from "express";
import { invalidParam, openEventStream, parseStreamId, parseTime } from "../audit/index.ts";
import type { ApiContext } from "../http/feature.ts";
import { getPrincipal } from "../http/principal.ts";
import type { Clock } from "../shared/clock.ts";
import { Forbidden, NotFound } from "../shared/errors.ts";
import type { Principal } from "../shared/principal.ts";
import type { Severity } from "./alert-rule.ts";
import { type AlertLogReader, type AlertQuery, matches } from "./redis-alert-log.ts";

const PARAMS = ["since", "severity", "rule", "user", "cluster", "cursor", "limit"];
const SEVERITIES: readonly Severity[] = ["info", "warning", "critical"];
const DEFAULT_SINCE_MS = 86_400_000;
const MAX_LIMIT = 1000;

/**
 * GET /alerts (newest first, paged), GET /alerts/stream (Server-Sent Events as alerts fire)
 * and GET /alerts/<id>. Admins see every alert; anyone else the alerts about themselves,
 * since an alert tells of what a person did.
 */
export function alertRoutes(options: { api: ApiContext; reader: AlertLogReader; clock: Clock }): Router {
  const { api, reader, clock } = options;
  const router = Router();

  router.get("/alerts", api.requireSession, async (req, res) => {
    const query = parseQuery(req, clock.now(), scopeOf(getPrincipal(res), api));
    const page = await reader.list(query);
    res.json(page);
  });

  router.get("/alerts/stream", api.requireSession, async (req, res) => {
    const {
      since: _,
      limit: __,
      before: ___,
      ...filter
    } = parseQuery(req, clock.now(), scopeOf(getPrincipal(res), api));
    const resume = req.get("last-event-id");
    const after = resume === undefined ? `${clock.now()}-0` : parseStreamId(resume);
    if (!after) throw invalidParam("Last-Event-ID", "must be an event id this stream sent");
    const stream = openEventStream(req, res, { heartbeatMs: 15_000 });
    const stop = new AbortController();
    stream.onClose(() => stop.abort());
    reader
      .follow(
        after,
        (alert) => {
          if (matches(alert, filter)) stream.send(alert.streamId, alert);
        },
        stop.signal,
      )
      .catch(() => stream.end());
  });

  router.get("/alerts/:id", api.requireSession, async (req, res) => {
    const alert = await reader.get(String(req.params.id));
    const user = scopeOf(getPrincipal(res), api);
    if (!alert || (user !== undefined && alert.record.user !== user)) {
      throw new NotFound(
        `no alert ${req.params.id}: it never fired, is past alerts.retention, or is not yours to see`,
      );
    }
    res.json(alert);
  });

  return router;
}

/** The user a caller is limited to, or undefined for an admin. */
function scopeOf(principal: Principal, api: ApiContext): string | undefined {
  return api.isAdmin(principal) ? undefined : principal.name;
}

function parseQuery(req: Request, now: number, ownUser: string | undefined): AlertQuery {
  const raw = req.query as Record<string, unknown>;
  for (const [name, value] of Object.entries(raw)) {
    if (!PARAMS.includes(name)) throw invalidParam(name, `is not a parameter; use ${PARAMS.join(", ")}`);
    if (typeof value !== "string") throw invalidParam(name, "must be given once");
  }
  const text = raw as Record<string, string | undefined>;
  const query: AlertQuery = {
    since: text.since === undefined ? now - DEFAULT_SINCE_MS : parseTime("since", text.since, now),
    limit: 100,
  };
  if (text.severity !== undefined) {
    if (!SEVERITIES.includes(text.severity as Severity)) {
      throw invalidParam("severity", `must be one of ${SEVERITIES.join(", ")} (that or higher)`);
    }
    query.severity = text.severity as Severity;
  }
  if (text.limit !== undefined) {
    const limit = Number(text.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw invalidParam("limit", `must be a whole number from 1 to ${MAX_LIMIT}`);
    }
    query.limit = limit;
  }
  if (text.cursor !== undefined) {
    const cursor = parseStreamId(text.cursor);
    if (!cursor) throw invalidParam("cursor", "must be a nextCursor this API returned");
    query.before = cursor;
  }
  for (const name of ["rule", "cluster"] as const) if (text[name]) query[name] = text[name];
  if (text.user) {
    if (ownUser !== undefined && text.user !== ownUser) {
      throw new Forbidden(`only admins may read alerts about other users; ${ownUser} may read their own`);
    }
    query.user = text.user;
  } else if (ownUser !== undefined) {
    query.user = ownUser;
  }
  return query;
}
