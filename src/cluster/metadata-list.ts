import { ApiException, type KubeConfig, type V1ObjectMeta } from "@kubernetes/client-node";
import { safeParse } from "./kube-errors.ts";
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
 * refusal throws the cluster's answer as client-node does (ApiException), for fromKubeError.
 */
export async function listMetadata<T>(
  kubeConfig: KubeConfig,
  path: string,
  query: Record<string, string>,
  pick: (metadata: V1ObjectMeta) => T,
): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined;
  do {
    const params = new URLSearchParams({
      ...query,
      limit: String(PAGE),
      ...(next ? { continue: next } : {}),
    });
    const answer = await kubeRequest(kubeConfig, "GET", `${path}?${params}`, METADATA_LIST);
    const list = safeParse(answer.body) as
      | { kind?: string; metadata?: { continue?: string }; items?: { metadata?: V1ObjectMeta }[] }
      | undefined;
    if (answer.status !== 200) throw new ApiException(answer.status, `list ${path}`, answer.body, {});
    if (list?.kind !== "PartialObjectMetadataList") {
      // A server (or a proxy before it) that ignored the Accept header: a bad gateway.
      const message = `HTTP 200, not a PartialObjectMetadataList`;
      throw new ApiException(502, `list ${path}`, JSON.stringify({ message }), {});
    }
    for (const item of list.items ?? []) if (item.metadata) items.push(pick(item.metadata));
    next = list.metadata?.continue || undefined;
  } while (next);
  return items;
}
