import type { LifecycleEvent } from "../audit/index.ts";
import type { Alert } from "./alert-rule.ts";

/**
 * The `alert.fired` audit record: about the person the record was about, on its cluster and
 * grant; `detail` holds the alert without the record that fired it (that record is in the
 * trail already, named by `record`).
 */
export function alertFiredEvent(alert: Alert): LifecycleEvent {
  const { record } = alert;
  const { record: _, ...rest } = alert;
  return {
    event: "alert.fired",
    user: record.user,
    groups: record.groups,
    cluster: record.cluster,
    namespace: record.namespace,
    grant: record.grant,
    role: record.role,
    serviceAccount: record.serviceAccount,
    detail: JSON.stringify({ ...rest, record: record.id }),
  };
}
