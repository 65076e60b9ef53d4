import type { CiRule } from "../../config/schema.ts";
import { globMatch } from "../../policy/index.ts";

export type ClaimMatcher = CiRule["claims"][string];

/** The claims of a verified CI token, as the issuer sent them. */
export type CiClaims = Record<string, unknown>;

/**
 * Whether one claim satisfies one configured matcher. A missing claim never matches, nor
 * does a structured one (object, array, null): rules speak about scalar facts of a job.
 * Strings are exact or globs over the whole value, case-sensitive; numbers and booleans are
 * compared by their string form, since issuers disagree on types (GitLab sends
 * `ref_protected: "true"`, GitHub sends `run_id: "123"`).
 */
export function claimMatches(claims: CiClaims, name: string, matcher: ClaimMatcher): boolean {
  // Own properties only: a rule on "constructor" must not see Object.prototype's.
  if (!Object.hasOwn(claims, name)) return false;
  const value = scalarText(claims[name]);
  if (value === undefined) return false;
  if (typeof matcher === "boolean") return value === String(matcher);
  const patterns = typeof matcher === "string" ? [matcher] : matcher;
  return patterns.some((pattern) => globMatch(pattern, value));
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}
