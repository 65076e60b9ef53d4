import type { AuditRecord } from "../../../src/audit/record.ts";
import { pickRecord } from "../../../src/audit/record-fields.ts";
import type { AuditWriter } from "../../../src/audit/write/audit-writer.ts";
import { auditUnavailable } from "../../../src/audit/write/write-mode.ts";

/**
 * An in-memory AuditWriter for unit tests of features that write audit records (the
 * gateway, identity, grants). Set `unavailable` to see how a caller handles a refusal.
 */
export class FakeAuditWriter implements AuditWriter {
  readonly records: AuditRecord[] = [];
  unavailable = false;

  async append(record: AuditRecord): Promise<void> {
    if (this.unavailable) throw auditUnavailable();
    this.records.push(pickRecord(record));
  }
}
