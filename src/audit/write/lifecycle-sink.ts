import type { Counter } from "prom-client";
import type { Clock } from "../../shared/clock.ts";
import { randomId } from "../../shared/ids.ts";
import type { Logger } from "../../shared/logger.ts";
import type { LifecycleAuditRecord, LifecycleEvent, LifecycleEvents } from "../record.ts";
import type { AuditWriter } from "./audit-writer.ts";

const EMPTY_LIFECYCLE: Omit<LifecycleAuditRecord, "event" | "id" | "ts"> = {
  type: "lifecycle",
  cluster: "",
  user: "",
  groups: "",
  grant: "",
  role: "",
  serviceAccount: "",
  grantKind: "",
  namespace: "",
  detail: "",
  request: "",
};

/** Lifecycle events (login, grant started, request approved…) as audit records, then to listeners. */
export function createLifecycleSink(options: {
  writer: AuditWriter;
  clock: Clock;
  logger: Logger;
  listenerFailures: Counter;
}): LifecycleEvents {
  const listeners: ((event: LifecycleEvent) => Promise<void> | void)[] = [];
  return {
    async publish(event) {
      await options.writer.append({
        ...EMPTY_LIFECYCLE,
        ...event,
        type: "lifecycle",
        id: event.id || randomId(),
        ts: event.ts || new Date(options.clock.now()).toISOString(),
      });
      for (const listener of listeners) {
        try {
          await listener(event);
        } catch (err) {
          options.listenerFailures.inc({ event: event.event });
          options.logger.error({ event: event.event, err: String(err) }, "a lifecycle listener failed");
        }
      }
    },
    onRecorded(listener) {
      listeners.push(listener);
    },
  };
}
