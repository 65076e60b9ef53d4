import type { CiRule, Config } from "../../config/schema.ts";
import { type CiClaims, claimMatches } from "./claim-match.ts";

/**
 * The first CI rule, in config order, that lets this token in: same issuer, an audience the
 * token carries, the cluster the caller named (if any), and every claim matcher satisfied.
 * Pure; undefined when no rule matches (deny by default).
 */
export function matchCiRule(
  config: Pick<Config, "ci">,
  claims: CiClaims,
  options: { cluster?: string | undefined } = {},
): CiRule | undefined {
  return config.ci.rules.find(
    (rule) =>
      claims.iss === rule.issuer &&
      audiences(claims).includes(rule.audience) &&
      (options.cluster === undefined || options.cluster === rule.cluster) &&
      Object.entries(rule.claims).every(([name, matcher]) => claimMatches(claims, name, matcher)),
  );
}

/** `aud` may be one string or a list (RFC 7519 §4.1.3). */
export function audiences(claims: CiClaims): string[] {
  const aud = claims.aud;
  if (typeof aud === "string") return [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === "string") : [];
}
