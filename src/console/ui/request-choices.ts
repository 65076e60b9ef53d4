import { formatDuration } from "../../shared/duration.ts";
import type { RequestableEntitlement } from "./types.ts";

/**
 * What the request form offers, from the policy's requestable entitlements: clusters, the
 * roles on the chosen cluster, the durations up to its maximum. Several rules may cover one
 * cluster and role with different namespaces; the form then merges them (the API decides).
 */

export function clustersOf(requestable: readonly RequestableEntitlement[]): string[] {
  return [...new Set(requestable.map((e) => e.cluster))].sort();
}

export function rolesOn(requestable: readonly RequestableEntitlement[], cluster: string): string[] {
  return [...new Set(requestable.filter((e) => e.cluster === cluster).map((e) => e.role))].sort();
}

/** The terms for one cluster and role: the widest of the rules that cover it. */
export function termsFor(
  requestable: readonly RequestableEntitlement[],
  cluster: string,
  role: string,
): RequestableEntitlement | undefined {
  const matching = requestable.filter((e) => e.cluster === cluster && e.role === role);
  const [first, ...rest] = matching;
  if (!first) return undefined;
  const merged = { ...first, namespaces: [...first.namespaces] };
  for (const e of rest) {
    merged.namespaces = [...new Set([...merged.namespaces, ...e.namespaces])].sort();
    merged.maxDurationSeconds = Math.max(merged.maxDurationSeconds, e.maxDurationSeconds);
    merged.approvalsRequired = Math.min(merged.approvalsRequired, e.approvalsRequired);
    merged.reasonRequired &&= e.reasonRequired;
    merged.autoApprove ||= e.autoApprove;
  }
  return merged;
}

const PRESETS = [
  15 * 60,
  30 * 60,
  3600,
  2 * 3600,
  4 * 3600,
  8 * 3600,
  12 * 3600,
  86_400,
  3 * 86_400,
  7 * 86_400,
];

/** Durations to choose from, as the API writes them ("30m", "2h"): presets up to the maximum, and the maximum. */
export function durationChoices(maxSeconds: number): string[] {
  const seconds = PRESETS.filter((preset) => preset < maxSeconds);
  if (maxSeconds >= 60) seconds.push(maxSeconds);
  return seconds.map(formatDuration);
}

/** The choice to start from: 1h when it is allowed, else the longest allowed. */
export function defaultDuration(choices: readonly string[]): string {
  return choices.includes("1h") ? "1h" : (choices.at(-1) ?? "");
}

/** "team-a, payments" or "team-a payments" → ["team-a", "payments"]. */
export function parseNamespaces(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}

/** Namespace names the rule lists literally: suggestions (and the default when it is the only one). */
export function literalNamespaces(namespaces: readonly string[]): string[] {
  return namespaces.filter((namespace) => !/[*?[\]]/.test(namespace));
}

export interface RequestForm {
  cluster: string;
  role: string;
  namespaces: string;
  duration: string;
  reason: string;
}

/** The POST /v1/requests body; a cluster-wide role takes no namespaces. */
export function requestBody(form: RequestForm, terms: RequestableEntitlement | undefined) {
  const namespaces = terms?.scope === "cluster" ? [] : parseNamespaces(form.namespaces);
  return {
    cluster: form.cluster,
    role: form.role,
    ...(namespaces.length > 0 ? { namespaces } : {}),
    duration: form.duration,
    reason: form.reason,
  };
}
