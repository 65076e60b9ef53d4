/**
 * Alerts: detection rules over audit records (docs/alerts.md). Rules come from
 * `alerts.rules` plus the default rules (default-rules.ts), which `alerts.defaults` switches
 * off or changes and a configured rule of the same name replaces.
 *
 * It owns, under `{alerts:<digest>}` hash tags (one per rule and group value, or per rule and
 * first-seen subject, so each script runs in one Redis Cluster slot): threshold windows and
 * their state, first-seen memory, and one claim key per fired alert (redis-alert-store.ts).
 *
 * Not wired yet: nothing reads the audit stream into the evaluator or delivers its alerts
 * (issue 17, "Evaluation and delivery"); this exports the pure parts and the store.
 */

export { AlertEvaluator, type AlertEvaluatorDeps } from "./alert-evaluator.ts";
export { alertId } from "./alert-identity.ts";
export type { Alert, AlertRule, Severity } from "./alert-rule.ts";
export type { AlertStore, SightingInput, WindowAnswer, WindowInput } from "./alert-store.ts";
export { effectiveRules } from "./default-rules.ts";
export { RedisAlertStore } from "./redis-alert-store.ts";
export { compileMatch, type RecordMatcher } from "./rule-match.ts";
export { isOutside } from "./schedule.ts";
