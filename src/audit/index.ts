/** The audit feature's public surface, for the composition root and other features. */
export { type Audit, type CreateAuditOptions, createAudit } from "./create-audit.ts";
export { type ExportSink, FileSink, StreamSink, WebhookSink } from "./export-sinks.ts";
export type { AuditRecord, LifecycleAuditRecord, LifecycleSink, RequestAuditRecord } from "./record.ts";
export type { AuditEntry } from "./record-fields.ts";
export { NOT_FORWARDED, SPOOL_FULL } from "./write-mode.ts";
export type { AuditWriter } from "./writer.ts";
