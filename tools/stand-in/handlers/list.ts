/**
 * list: label and field selectors, `limit`/`continue` paging, and the List, Table or
 * PartialObjectMetadataList answer stamped with the current resourceVersion (what `get -w` then watches from).
 */
import type { ResourceContext } from "../context.ts";
import { sendJson, wantsTable } from "../http-io.ts";
import { apiVersionOf, type KindInfo } from "../kinds.ts";
import { metadataList, wantsMetadata } from "../metadata-only.ts";
import type { KubeObject } from "../objects.ts";
import { parseFieldSelector, parseLabelSelector } from "../selectors.ts";
import { gone } from "../status.ts";
import { includeObjectParam, toTable } from "../table.ts";

/** Extra field selectors the real server accepts per kind (beyond metadata.name/namespace). */
const FIELD_SELECTORS: Record<string, string[]> = {
  pods: ["spec.nodeName", "spec.serviceAccountName", "status.phase", "status.podIP"],
  secrets: ["type"],
  namespaces: ["status.phase"],
  certificatesigningrequests: ["spec.signerName"],
  // pkg/registry/core/event/strategy.go (ToSelectableFields); `kubectl events --for` uses them.
  events: [
    ...["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"].map(
      (f) => `involvedObject.${f}`,
    ),
    "reason",
    "reportingComponent",
    "type",
  ],
};

export type ObjectMatcher = (object: KubeObject) => boolean;

/** The request's selectors (and pinned name, for the `/watch/…/name` form) as one predicate. */
export function matcherFor(ctx: ResourceContext): ObjectMatcher {
  const labels = parseLabelSelector(ctx.url.searchParams.get("labelSelector"));
  const fields = parseFieldSelector(
    ctx.url.searchParams.get("fieldSelector"),
    FIELD_SELECTORS[ctx.kind.resource],
  );
  const { namespace, name } = ctx.info;
  return (object) =>
    (!namespace || !ctx.kind.namespaced || object.metadata.namespace === namespace) &&
    (!name || object.metadata.name === name) &&
    labels(object.metadata.labels ?? {}) &&
    fields(object);
}

export function listObjects(ctx: ResourceContext, page?: { offset: number; limit: number }) {
  return ctx.core.store.select(ctx.kind.resource, ctx.info.namespace || undefined, matcherFor(ctx), page);
}

interface ContinueToken {
  rv: number;
  offset: number;
}

function decodeContinue(token: string): ContinueToken {
  try {
    return JSON.parse(Buffer.from(token, "base64url").toString()) as ContinueToken;
  } catch {
    throw gone("The provided continue parameter is too old to display a consistent list result.");
  }
}

/** Items without kind/apiVersion, as in a real List. */
function listItem(object: KubeObject): KubeObject {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = object;
  return rest as KubeObject;
}

export function listBody(kind: KindInfo, items: KubeObject[], metadata: Record<string, unknown>): unknown {
  return { kind: `${kind.kind}List`, apiVersion: apiVersionOf(kind), metadata, items: items.map(listItem) };
}

export function sendList(ctx: ResourceContext): void {
  const continued = ctx.url.searchParams.get("continue");
  const start = continued ? decodeContinue(continued) : { rv: ctx.core.store.revision, offset: 0 };
  const limit = Number(ctx.url.searchParams.get("limit") ?? 0);
  const { items, total } = listObjects(ctx, {
    offset: start.offset,
    limit: limit > 0 ? limit : Number.POSITIVE_INFINITY,
  });
  const end = limit > 0 ? start.offset + limit : total;
  const metadata: Record<string, unknown> = { resourceVersion: String(start.rv) };
  if (end < total) {
    metadata.continue = Buffer.from(JSON.stringify({ rv: start.rv, offset: end })).toString("base64url");
    metadata.remainingItemCount = total - end;
  }
  const metadataOnly = wantsMetadata(ctx.req);
  const body = metadataOnly
    ? metadataList(metadataOnly, ctx.kind.kind, items, metadata)
    : wantsTable(ctx.req)
      ? toTable(ctx.kind, items, metadata, includeObjectParam(ctx.url))
      : listBody(ctx.kind, items, metadata);
  sendJson(ctx.res, 200, body);
}
