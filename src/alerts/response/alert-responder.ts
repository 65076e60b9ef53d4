import type { Alert, AlertAction } from "../alert-rule.ts";

/** What an action did: done, would have done (dry run), found nothing to do, or failed. */
export interface AlertResponse {
  action: AlertAction;
  dryRun: boolean;
  outcome: "done" | "would" | "nothing-to-do" | "failed";
  /** One line for people: "revoked grant g-123 of alice@example.com on prod". */
  detail: string;
}

/**
 * Carries out a fired alert's action (docs/alerts.md "Automatic response"). It is called at
 * least once per alert (again after a replica died mid-dispatch), so each action must be
 * idempotent: revoking an ended grant, or suspending what is suspended, is "nothing-to-do".
 * It records an `alert.action` lifecycle event with the rule as the actor, and never throws
 * for a failed action: the outcome says so.
 */
export interface AlertResponder {
  respond(alert: Alert & { action: NonNullable<Alert["action"]> }): Promise<AlertResponse>;
}
