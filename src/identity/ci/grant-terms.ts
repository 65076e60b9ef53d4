import type { CiRule } from "../../config/schema.ts";
import type { Principal } from "../../shared/principal.ts";
import type { VerifiedCiToken } from "./ci-token-verifier.ts";

/** Grants made for CI jobs last at least this long (the grant service's own minimum). */
export const MIN_CI_GRANT_SECONDS = 60;

export interface CiGrantTtlInput {
  rule: CiRule;
  /** The role's maxTtl; undefined when the role is not configured (the grant service refuses it). */
  roleMaxTtl: number | undefined;
  token: VerifiedCiToken;
  /** What the job asked for, in seconds, if anything. */
  requested: number | undefined;
  now: number;
}

/**
 * A CI grant lives no longer than the rule and the role allow, than the job asked for, or
 * than the job's own token: the token's exp is the best "job length" the broker can know.
 * It is still at least a minute, so a token exchanged near its end yields usable access
 * (which then outlives the token by under a minute).
 */
export function ciGrantTtl(input: CiGrantTtlInput): number {
  const tokenLeft = Math.floor((input.token.expiresAt - input.now) / 1000);
  const ttl = Math.min(
    input.rule.maxTtl,
    input.roleMaxTtl ?? Number.POSITIVE_INFINITY,
    input.requested ?? Number.POSITIVE_INFINITY,
    tokenLeft,
  );
  return Math.max(MIN_CI_GRANT_SECONDS, ttl);
}

/** A CI job as a principal: the issuer and its `sub` identify it; the name says it is CI. */
export function ciPrincipal(token: VerifiedCiToken): Principal {
  return { kind: "ci", subject: `${token.issuer}#${token.subject}`, name: `ci:${token.subject}`, groups: [] };
}

/** The claims that tell a person reading a grant which job and run it was for (GitHub, then GitLab). */
const IDENTIFYING_CLAIMS = [
  "repository",
  "project_path",
  "environment",
  "ref",
  "run_id",
  "run_attempt",
  "pipeline_id",
  "job_id",
];
const MAX_CLAIM_TEXT = 120;

export function ciReason(rule: CiRule, token: VerifiedCiToken): string {
  const facts = IDENTIFYING_CLAIMS.flatMap((name) => {
    const value = token.claims[name];
    return typeof value === "string" && value ? [`${name}=${value.slice(0, MAX_CLAIM_TEXT)}`] : [];
  });
  return `CI rule ${rule.name}: ${facts.length ? facts.join(" ") : `sub=${token.subject.slice(0, MAX_CLAIM_TEXT)}`}`;
}
