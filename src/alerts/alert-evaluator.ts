import type { AuditRecord } from "../audit/index.ts";
import type { Clock } from "../shared/clock.ts";
import { alertId } from "./alert-identity.ts";
import type { Alert, AlertRule } from "./alert-rule.ts";
import type { AlertStore } from "./alert-store.ts";
import { fieldValue } from "./record-values.ts";
import { compileMatch, needsOutcome, type RecordMatcher } from "./rule-match.ts";
import { isOutside } from "./schedule.ts";

export interface AlertEvaluatorDeps {
  rules: readonly AlertRule[];
  store: AlertStore;
  clock: Clock;
  /** How long an alert's id is remembered, so that evaluating a record again fires nothing new. */
  dedupeMs?: number;
  /** How long the alert log keeps fired alerts (alerts.retention, ms). */
  retentionMs?: number;
}

interface CompiledRule {
  rule: AlertRule;
  matches: RecordMatcher;
  needsOutcome: boolean;
}

const DAY_MS = 86_400_000;
const SIGHTING_REFRESH_MS = 3_600_000;
const MAX_SIGHTINGS = 100_000;

/**
 * Decides which rules a record fires. Conditions apply in this order: the match; first
 * seen (the sighting is remembered whatever follows); the schedule; the threshold (which
 * counts only records that passed the rest). An alert is fired (appended to the alert log)
 * and returned only the first time its id is seen, so several replicas, or one evaluating a
 * record again, never fire it twice.
 */
export class AlertEvaluator {
  readonly #rules: CompiledRule[];
  readonly #store: AlertStore;
  readonly #clock: Clock;
  readonly #dedupeMs: number;
  readonly #retentionMs: number;
  /** Subjects this replica saw lately, per first-seen rule: time, and the record that was new. */
  readonly #sightings = new Map<string, { at: number; novel?: string }>();

  constructor(deps: AlertEvaluatorDeps) {
    this.#rules = deps.rules
      .filter((rule) => rule.enabled)
      .map((rule) => ({ rule, matches: compileMatch(rule.match), needsOutcome: needsOutcome(rule.match) }));
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#dedupeMs = deps.dedupeMs ?? DAY_MS;
    this.#retentionMs = deps.retentionMs ?? 30 * DAY_MS;
  }

  async evaluate(record: AuditRecord): Promise<Alert[]> {
    const fired: Alert[] = [];
    for (const compiled of this.#rules) {
      const alert = await this.#evaluateRule(compiled, record);
      if (!alert) continue;
      const keepAfterMs = this.#clock.now() - this.#retentionMs;
      if (await this.#store.fire(alert, { ttlMs: this.#dedupeMs, keepAfterMs })) fired.push(alert);
    }
    return fired;
  }

  async #evaluateRule(compiled: CompiledRule, record: AuditRecord): Promise<Alert | undefined> {
    const { rule } = compiled;
    // A request's start record has no status or outcome yet; its end record will.
    if (record.type === "request" && record.phase === "start" && compiled.needsOutcome) return undefined;
    if (!compiled.matches(record)) return undefined;
    const at = this.#timeOf(record);
    const alert: Alert = {
      id: alertId(rule.name, record.id),
      rule: rule.name,
      severity: rule.severity,
      description: rule.description,
      at: new Date(at).toISOString(),
      record,
      ...(rule.action ? { action: { kind: rule.action, dryRun: rule.dryRun } } : {}),
    };
    if (rule.firstSeen) {
      const { of, days } = rule.firstSeen;
      const value = fieldValue(record, of);
      if (!value || !record.user) return undefined;
      const subject = `${record.user}\0${of}\0${value}`;
      const horizonMs = days * DAY_MS;
      if (!(await this.#firstSeen(rule.name, subject, record.id, at, horizonMs))) return undefined;
      alert.firstSeen = { field: of, value, days };
    }
    if (rule.schedule && !isOutside(rule.schedule, at)) return undefined;
    if (rule.threshold) {
      const { count, window, groupBy } = rule.threshold;
      const value = fieldValue(record, groupBy);
      const windowMs = window * 1000;
      const answer = await this.#store.crossed({
        rule: rule.name,
        group: `${groupBy}\0${value}`,
        recordId: record.id,
        at,
        windowMs,
        count,
      });
      if (!answer.crossed) return undefined;
      alert.group = { field: groupBy, value, count: answer.inWindow, windowSeconds: window };
    }
    return alert;
  }

  /**
   * Asks the store only when this replica has not seen the subject within the last
   * SIGHTING_REFRESH_MS: a sighting that recent cannot be a first in a horizon of days, and a
   * rule like new-source-ip matches every request. The store's "last seen" then lags by at
   * most that long, a rounding of the horizon. The record that was new is asked again (a
   * re-evaluation must find it new again).
   */
  async #firstSeen(rule: string, subject: string, recordId: string, at: number, horizonMs: number) {
    const key = `${rule}\0${subject}`;
    const recent = this.#sightings.get(key);
    if (recent && at >= recent.at && at - recent.at < SIGHTING_REFRESH_MS && recent.novel !== recordId)
      return false;
    const novel = await this.#store.firstSeen({ rule, subject, recordId, at, horizonMs });
    if (this.#sightings.size >= MAX_SIGHTINGS) this.#sightings.clear();
    const latest = Math.max(at, recent?.at ?? at);
    this.#sightings.set(key, {
      at: latest,
      ...(novel ? { novel: recordId } : recent?.novel ? { novel: recent.novel } : {}),
    });
    return novel;
  }

  /** The record's own time, so that a backlog is judged as it would have been live. */
  #timeOf(record: AuditRecord): number {
    const at = Date.parse(record.ts);
    return Number.isFinite(at) ? at : this.#clock.now();
  }
}
