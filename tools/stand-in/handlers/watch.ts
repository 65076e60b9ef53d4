/**
 * watch (`?watch=true` on a list, or the `/watch/` path form): a chunked body with one JSON
 * event per line, written as each change happens. Without a resourceVersion (or with "0")
 * the current objects come first as ADDED; with one, every change after it is replayed. A
 * selector watch sees an object that stops matching as DELETED and one that starts as ADDED,
 * as the watch cache does. `timeoutSeconds` ends the stream like the real server.
 */
import type { ResourceContext } from "../context.ts";
import { wantsTable } from "../http-io.ts";
import type { KubeObject } from "../objects.ts";
import { badRequest, gone } from "../status.ts";
import type { EventType, StoreEvent } from "../store.ts";
import { includeObjectParam, toTable } from "../table.ts";
import { listObjects, matcherFor } from "./list.ts";

interface WatchEvent {
  type: EventType | "ERROR";
  object: unknown;
}

/** What a change looks like through a selector: ADDED/MODIFIED/DELETED, or nothing. */
function throughFilter(event: StoreEvent, matches: (o: KubeObject) => boolean): WatchEvent | undefined {
  const now = matches(event.object);
  if (event.type !== "MODIFIED") return now ? { type: event.type, object: event.object } : undefined;
  const before = event.previous ? matches(event.previous) : false;
  if (now) return { type: before ? "MODIFIED" : "ADDED", object: event.object };
  if (!before) return undefined;
  const object = { ...event.previous!, metadata: { ...event.previous!.metadata } };
  object.metadata.resourceVersion = event.object.metadata.resourceVersion;
  return { type: "DELETED", object };
}

export function serveWatch(ctx: ResourceContext): void {
  const { res, core, kind, url } = ctx;
  const matches = matcherFor(ctx);
  const asTable = wantsTable(ctx.req);
  const include = includeObjectParam(url);
  const rvParam = url.searchParams.get("resourceVersion") ?? "";
  if (rvParam !== "" && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resource version: ${rvParam}`);
  const since = Number(rvParam || 0);
  const replay = since === 0 ? undefined : core.store.eventsSince(since);
  if (since !== 0 && !replay) throw gone(`too old resource version: ${since} (${core.store.revision})`);

  res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
  res.flushHeaders();
  const write = (event: WatchEvent) => {
    const object = asTable ? toTable(kind, [event.object as KubeObject], {}, include) : event.object;
    res.write(`${JSON.stringify({ type: event.type, object })}\n`);
  };

  if (since === 0) {
    for (const object of listObjects(ctx).items) write({ type: "ADDED", object });
  } else {
    for (const event of replay!) {
      const seen = event.kind === kind ? throughFilter(event, matches) : undefined;
      if (seen) write(seen);
    }
  }
  const unsubscribe = core.store.subscribe((event) => {
    const seen = event.kind === kind ? throughFilter(event, matches) : undefined;
    if (seen) write(seen);
  });
  const timeout = Number(url.searchParams.get("timeoutSeconds") ?? 0);
  const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
  res.on("close", () => {
    unsubscribe();
    clearTimeout(timer);
  });
}
