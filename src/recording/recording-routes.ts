import { type Request, type Response, Router } from "express";
import { invalidParam, parseTime } from "../audit/index.ts";
import type { ApiContext } from "../http/feature.ts";
import { getPrincipal } from "../http/principal.ts";
import type { Clock } from "../shared/clock.ts";
import { Forbidden, NotFound } from "../shared/errors.ts";
import type { RecordingMeta, RecordingQuery, RecordingStore } from "./recording-store.ts";

const LIST_PARAMS = ["user", "cluster", "namespace", "pod", "since", "limit"];
const SEARCH_PARAMS = [...LIST_PARAMS, "q"];
const DEFAULT_SINCE_MS = 7 * 86_400_000;
const MAX_LIMIT = 500;
const RECORDING_ID = /^[a-z0-9]{1,64}$/;
/** Sessions a search reads the typed lines of, at most: a search is a scan of them. */
const SEARCH_SESSIONS = 2000;

/**
 * GET /recordings (newest first), /recordings/search?q= (lines typed in sessions), and
 * /recordings/<id> (its meta) and /recordings/<id>/cast (the asciicast v2 file). Admins see
 * every recording; anyone else their own sessions, since a recording shows what a person did.
 */
export function recordingRoutes(options: { api: ApiContext; store: RecordingStore; clock: Clock }): Router {
  const { api, store, clock } = options;
  const router = Router();
  const ownUser = (res: Response) => {
    const principal = getPrincipal(res);
    return api.isAdmin(principal) ? undefined : principal.name;
  };

  router.get("/recordings", api.requireSession, async (req, res) => {
    const query = parseQuery(req, LIST_PARAMS, clock.now(), ownUser(res));
    res.json({ items: await store.list(query) });
  });

  router.get("/recordings/search", api.requireSession, async (req, res) => {
    const query = parseQuery(req, SEARCH_PARAMS, clock.now(), ownUser(res));
    const text = typeof req.query.q === "string" ? req.query.q.trim() : "";
    if (text === "") throw invalidParam("q", "give the text to look for in typed lines");
    const needle = text.toLowerCase();
    const sessions = await store.list({ ...query, limit: SEARCH_SESSIONS });
    const items: { recording: RecordingMeta; lines: string[] }[] = [];
    for (const recording of sessions) {
      const lines = (await store.typed(recording.id)).filter((line) => line.toLowerCase().includes(needle));
      if (lines.length > 0) items.push({ recording, lines });
      if (items.length >= query.limit) break;
    }
    res.json({ items });
  });

  const visible = async (req: Request, res: Response): Promise<RecordingMeta> => {
    const id = String(req.params.id);
    // An id is an audit record's id; anything else names no recording (nor, in a key, anything).
    const recording = RECORDING_ID.test(id) ? await store.get(id) : undefined;
    const own = ownUser(res);
    if (!recording || (own !== undefined && recording.user !== own)) {
      throw new NotFound(
        `no recording ${id}: the session was not recorded, is past recording.retention, or is not yours to see`,
      );
    }
    return recording;
  };

  router.get("/recordings/:id", api.requireSession, async (req, res) => {
    res.json(await visible(req, res));
  });

  router.get("/recordings/:id/cast", api.requireSession, async (req, res) => {
    const recording = await visible(req, res);
    const cast = (await store.cast(recording.id)) ?? "";
    res
      .type("application/x-asciicast")
      .set("content-disposition", `attachment; filename="${recording.id}.cast"`)
      .send(cast);
  });

  return router;
}

function parseQuery(req: Request, allowed: string[], now: number, own: string | undefined): RecordingQuery {
  const raw = req.query as Record<string, unknown>;
  for (const [name, value] of Object.entries(raw)) {
    if (!allowed.includes(name)) throw invalidParam(name, `is not a parameter; use ${allowed.join(", ")}`);
    if (typeof value !== "string") throw invalidParam(name, "must be given once");
  }
  const text = raw as Record<string, string | undefined>;
  const query: RecordingQuery = {
    since: text.since === undefined ? now - DEFAULT_SINCE_MS : parseTime("since", text.since, now),
    limit: 100,
  };
  if (text.limit !== undefined) {
    const limit = Number(text.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      throw invalidParam("limit", `must be a whole number from 1 to ${MAX_LIMIT}`);
    query.limit = limit;
  }
  for (const name of ["cluster", "namespace", "pod"] as const) if (text[name]) query[name] = text[name];
  if (text.user && own !== undefined && text.user !== own) {
    throw new Forbidden(`only admins may read other users' recordings; ${own} may read their own`);
  }
  const user = text.user || own;
  if (user) query.user = user;
  return query;
}
