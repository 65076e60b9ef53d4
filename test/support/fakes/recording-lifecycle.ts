import type { LifecycleAuditRecord, LifecycleEventName, LifecycleSink } from "../../../src/audit/record.ts";

/** A LifecycleSink that remembers what was published, for tests of features that emit events. */
export class RecordingLifecycle implements LifecycleSink {
  readonly events: (Partial<LifecycleAuditRecord> & { event: LifecycleEventName })[] = [];

  async publish(event: Partial<LifecycleAuditRecord> & { event: LifecycleEventName }): Promise<void> {
    this.events.push(event);
  }

  named(event: LifecycleEventName): (Partial<LifecycleAuditRecord> & { event: LifecycleEventName })[] {
    return this.events.filter((e) => e.event === event);
  }
}
