import type { Clock } from "../shared/clock.ts";
import { randomId } from "../shared/ids.ts";
import type { LifecycleAuditRecord, LifecycleSink } from "./record.ts";
import type { AuditWriter } from "./writer.ts";

const EMPTY_LIFECYCLE: Omit<LifecycleAuditRecord, "event" | "id" | "ts"> = {
  type: "lifecycle",
  cluster: "",
  user: "",
  groups: "",
  grant: "",
  role: "",
  serviceAccount: "",
  namespace: "",
  detail: "",
  request: "",
};

/** Lifecycle events (login, grant started, request approved…) as audit records. */
export function createLifecycleSink(options: { writer: AuditWriter; clock: Clock }): LifecycleSink {
  return {
    publish: (event) =>
      options.writer.append({
        ...EMPTY_LIFECYCLE,
        ...event,
        type: "lifecycle",
        id: event.id || randomId(),
        ts: event.ts || new Date(options.clock.now()).toISOString(),
      }),
  };
}
