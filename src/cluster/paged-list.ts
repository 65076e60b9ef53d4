import type { V1ObjectMeta } from "@kubernetes/client-node";
import type { KubeConnection } from "./kube-connection.ts";
import { KubeApiError, safeParse } from "./kube-errors.ts";
import { kubeRequest } from "./kube-request.ts";

/** What the API server answers a list with when asked for metadata only. */
const METADATA_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";

/** Items per page (what kubectl asks for too). */
const PAGE = 500;

/**
 * What `pick` makes of the metadata of every object a list names (`path`, with its query), a
 * page at a time: objects arrive as PartialObjectMetadata, and of each page only what `pick`
 * returns is kept, so thousands of objects make neither one long parse on the event loop nor
 * a heap of full objects (managedFields and all) for the collector to copy and walk. A
 * refusal throws the cluster's answer (KubeApiError), for fromKubeError.
 */
export function listMetadata<T>(
  connection: KubeConnection,
  path: string,
  query: Record<string, string>,
  pick: (metadata: V1ObjectMeta) => T,
): Promise<T[]> {
  return listPages<{ metadata?: V1ObjectMeta }, T>(connection, path, query, {
    accept: METADATA_LIST,
    kind: "PartialObjectMetadataList",
    pick: (item) => (item.metadata ? pick(item.metadata) : undefined),
  });
}

/** The same for whole objects, each made into what `pick` returns. */
export function listObjects<I, T>(
  connection: KubeConnection,
  path: string,
  pick: (item: I) => T,
  query: Record<string, string> = {},
): Promise<T[]> {
  return listPages<I, T>(connection, path, query, { accept: "application/json", pick });
}

async function listPages<I, T>(
  connection: KubeConnection,
  path: string,
  query: Record<string, string>,
  how: { accept: string; kind?: string; pick: (item: I) => T | undefined },
): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined;
  do {
    const params = new URLSearchParams({
      ...query,
      limit: String(PAGE),
      ...(next ? { continue: next } : {}),
    });
    const answer = await kubeRequest(connection, "GET", `${path}?${params}`, { accept: how.accept });
    if (answer.status !== 200) throw new KubeApiError(answer.status, answer.body);
    const list = safeParse(answer.body) as
      | { kind?: string; metadata?: { continue?: string }; items?: I[] }
      | undefined;
    if (!list || (how.kind && list.kind !== how.kind)) {
      // A server (or a proxy before it) that ignored the Accept header: a bad gateway.
      const message = `HTTP 200, not a ${how.kind ?? "list"}`;
      throw new KubeApiError(502, JSON.stringify({ message }));
    }
    for (const item of list.items ?? []) {
      const picked = how.pick(item);
      if (picked !== undefined) items.push(picked);
    }
    next = list.metadata?.continue || undefined;
  } while (next);
  return items;
}
