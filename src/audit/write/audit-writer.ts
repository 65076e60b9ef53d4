import type { AuditRecord } from "../record.ts";

/** Where the gateway and the lifecycle sink put records, whatever the mode behind it. */
export interface AuditWriter {
  /**
   * Resolves once the record is safe per mode; rejects with Unavailable (503) when it is
   * not, and then the caller must not forward the request.
   */
  append(record: AuditRecord): Promise<void>;
}
