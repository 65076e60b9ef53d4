/**
 * events.k8s.io/v1 Events: on a real server the same objects as core v1 Events in another shape
 * (one storage, converted as pkg/apis/events/v1/conversion.go does), so a core event is listed
 * here and an event created here is listed by `kubectl events`. Served: get, list, watch (from
 * now, or replayed after a resourceVersion), create and delete.
 */
import type { ResourceContext } from "../context.ts";
import { readObject, sendJson } from "../http-io.ts";
import { findKind, type KindInfo } from "../kinds.ts";
import { isPlainObject, type KubeObject } from "../objects.ts";
import { badRequest, gone, methodNotAllowed, successStatus } from "../status.ts";
import { listBody, listObjects, matcherFor } from "./list.ts";

/** core v1 field → events.k8s.io/v1 field, for the fields that are renamed. */
const RENAMED: [core: string, v1: string][] = [
  ["involvedObject", "regarding"],
  ["message", "note"],
  ["source", "deprecatedSource"],
  ["firstTimestamp", "deprecatedFirstTimestamp"],
  ["lastTimestamp", "deprecatedLastTimestamp"],
  ["count", "deprecatedCount"],
  ["reportingComponent", "reportingController"],
];

function rename(object: KubeObject, pairs: [string, string][], kind: KindInfo): KubeObject {
  const out: Record<string, unknown> = {
    ...object,
    kind: "Event",
    apiVersion: kind.group ? `${kind.group}/v1` : "v1",
  };
  for (const [from, to] of pairs) {
    delete out[from];
    if (object[from] !== undefined) out[to] = object[from];
  }
  return out as KubeObject;
}

const coreKind = () => findKind("", "v1", "events")!;
export const toEventsV1 = (event: KubeObject, kind: KindInfo) => rename(event, RENAMED, kind);
const toCore = (event: KubeObject) =>
  rename(
    event,
    RENAMED.map(([core, v1]) => [v1, core]),
    coreKind(),
  );

function watch(ctx: ResourceContext, coreCtx: ResourceContext): void {
  const { res, core, url } = ctx;
  const since = Number(url.searchParams.get("resourceVersion") || 0);
  if (!Number.isInteger(since) || since < 0) throw badRequest(`invalid resource version: ${since}`);
  const replay = since === 0 ? undefined : core.store.eventsSince(since);
  if (since !== 0 && !replay) throw gone(`too old resource version: ${since} (${core.store.revision})`);
  const matches = matcherFor(coreCtx);
  res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
  res.flushHeaders();
  const write = (type: string, object: KubeObject) =>
    res.write(`${JSON.stringify({ type, object: toEventsV1(object, ctx.kind) })}\n`);
  const relevant = (e: { kind: KindInfo; object: KubeObject }) =>
    e.kind === coreCtx.kind && matches(e.object);
  if (since === 0) for (const object of listObjects(coreCtx).items) write("ADDED", object);
  for (const e of replay ?? []) if (relevant(e)) write(e.type, e.object);
  const unsubscribe = core.store.subscribe((e) => relevant(e) && write(e.type, e.object));
  res.on("close", unsubscribe);
}

export async function serveEventsV1(ctx: ResourceContext): Promise<void> {
  const coreCtx: ResourceContext = { ...ctx, kind: coreKind() };
  const { store } = ctx.core;
  const { verb, namespace, name } = ctx.info;
  if (verb === "get")
    return sendJson(ctx.res, 200, toEventsV1(store.get("events", { namespace, name }), ctx.kind));
  if (verb === "list") {
    const items = listObjects(coreCtx).items.map((e) => toEventsV1(e, ctx.kind));
    return sendJson(ctx.res, 200, listBody(ctx.kind, items, { resourceVersion: String(store.revision) }));
  }
  if (verb === "watch") return watch(ctx, coreCtx);
  if (verb === "create" && !name) {
    const body = await readObject(ctx.req);
    if (!isPlainObject(body)) throw badRequest("the body of the request was in an unknown format");
    const event = toCore(body as KubeObject);
    event.metadata = { ...(event.metadata ?? {}), namespace: event.metadata?.namespace ?? namespace };
    return sendJson(ctx.res, 201, toEventsV1(store.create(event, { user: ctx.user }), ctx.kind));
  }
  if (verb === "delete" && name) {
    const deleted = store.delete("events", { namespace, name });
    const details = { name, group: ctx.kind.group, kind: "events", uid: deleted.metadata.uid };
    return sendJson(ctx.res, 200, successStatus(details));
  }
  throw methodNotAllowed();
}
