import type { LifecycleEventName, LifecycleSink } from "../audit/index.ts";
import type { Logger } from "../shared/logger.ts";
import { type Grant, grantKind } from "./grant.ts";

/**
 * Records a lifecycle event about a grant. The grant has already changed by then, so a lost
 * event is logged, never thrown: it must not undo or fail what happened.
 */
export async function publishGrantEvent(
  sink: LifecycleSink,
  logger: Logger,
  event: LifecycleEventName,
  grant: Grant,
  detail: string,
): Promise<void> {
  try {
    await sink.publish({
      event,
      cluster: grant.cluster,
      user: grant.principal.name,
      groups: grant.principal.groups.join(","),
      grant: grant.id,
      role: grant.role,
      serviceAccount: grant.serviceAccount.name,
      grantKind: grantKind(grant.origin),
      namespace: grant.namespaces.join(","),
      detail,
      request: grant.requestId ?? "",
    });
  } catch (err) {
    logger.error({ grant: grant.id, event, err }, "lifecycle event not recorded");
  }
}
