import { useSession } from "./session-context.ts";
import { useResource } from "./use-resource.ts";

/** GET /v1/clusters (public: what the CLI reads before anyone signs in); only the names are used here. */
interface ClusterList {
  items: { name: string }[];
}

/** The broker's cluster names, for the filters and report forms; empty until loaded. */
export function useClusters(): string[] {
  const { api } = useSession();
  const clusters = useResource(() => api.get<ClusterList>("/v1/clusters"), "clusters");
  return clusters.data?.items.map((cluster) => cluster.name) ?? [];
}
