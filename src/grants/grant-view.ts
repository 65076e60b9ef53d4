import type { Grant } from "./grant.ts";

/** A grant as the API shows it: times as RFC 3339, no internal bookkeeping. */
export function grantView(grant: Grant) {
  return {
    id: grant.id,
    user: grant.principal.name,
    kind: grant.principal.kind,
    cluster: grant.cluster,
    role: grant.role,
    namespaces: grant.namespaces,
    ...(grant.namespacePatterns ? { namespacePatterns: grant.namespacePatterns } : {}),
    clusterWide: grant.clusterWide,
    origin: grant.origin,
    reason: grant.reason,
    ...(grant.requestId ? { requestId: grant.requestId } : {}),
    state: grant.state,
    createdAt: iso(grant.createdAt),
    expiresAt: iso(grant.expiresAt),
    ...(grant.endedAt
      ? { endedAt: iso(grant.endedAt), endReason: grant.endReason, endDetail: grant.endDetail }
      : {}),
    serviceAccount: `${grant.serviceAccount.namespace}/${grant.serviceAccount.name}`,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The JSON body of a grant in API answers (the CLI reads it). */
export type GrantView = ReturnType<typeof grantView>;
