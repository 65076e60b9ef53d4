import type { AuditCursor } from "../audit-cursor.ts";
import type { RequestAuditRecord } from "../record.ts";
import type { AuditQueryStore } from "./audit-query-store.ts";

/** An object a grant's holder created through the gateway, as its audit record tells it. */
export interface CreatedObject {
  apiGroup: string;
  apiVersion: string;
  resource: string;
  namespace: string;
  name: string;
  /** When it was created (RFC 3339), and with which kubectl command. */
  ts: string;
  kubectlCommand: string;
}

/** Pages read at most per grant: a grant creates far fewer objects than this covers. */
const MAX_PAGES = 20;

/**
 * Every object created through a grant: the `end` records of its successful creates since
 * the grant began (the gateway records the created object's name from the cluster's answer).
 * Reads every shard, merged.
 */
export async function objectsCreatedBy(
  store: AuditQueryStore,
  grantId: string,
  since: number,
): Promise<CreatedObject[]> {
  const found: CreatedObject[] = [];
  let after: AuditCursor | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { items, nextCursor } = await store.query({
      filter: { type: "request", phase: "end", grant: grantId, verb: "create", decision: "allowed" },
      since,
      limit: 1000,
      ...(after ? { after } : {}),
    });
    for (const entry of items as unknown as RequestAuditRecord[]) {
      if (!entry.status.startsWith("2") || entry.name === "" || entry.subresource !== "") continue;
      const { apiGroup, apiVersion, resource, namespace, name, ts, kubectlCommand } = entry;
      found.push({ apiGroup, apiVersion, resource, namespace, name, ts, kubectlCommand });
    }
    if (!nextCursor) break;
    after = nextCursor;
  }
  return found;
}
