import type { AuditRecord } from "../audit/index.ts";
import type { AlertRuleConfig } from "../config/schema.ts";

/** A rule as the evaluator runs it: a configured rule, or a default rule built from the config. */
export type AlertRule = AlertRuleConfig;
export type Severity = AlertRule["severity"];
export type AlertAction = NonNullable<AlertRule["action"]>;

/** One rule firing on one record. */
export interface Alert {
  /** Stable for the rule and the record that fired it: re-evaluating that record yields it again. */
  id: string;
  rule: string;
  severity: Severity;
  description: string;
  /** When it happened: the record's time (ISO). */
  at: string;
  /** The record that fired it; for a threshold, the one that crossed it. */
  record: AuditRecord;
  /** For a threshold: the field and value counted, and how many records were in the window. */
  group?: { field: string; value: string; count: number; windowSeconds: number };
  /** For first-seen: what the user reached for the first time. */
  firstSeen?: { field: string; value: string; days: number };
  /**
   * The rule's action, carried with the alert so that whichever replica dispatches it acts as
   * the rule said when it fired, whatever config that replica has.
   */
  action?: { kind: AlertAction; dryRun: boolean };
}
