import type { Principal } from "../shared/principal.ts";

/** Who was on call in a rule's schedule when a request was made: kept on the request. */
export interface OnCallSnapshot {
  schedule: string;
  /** Everyone on call then, as the feed names them (overrides first). */
  people: string[];
}

/**
 * Whether a person is one of those a schedule names. Feeds name people by email address
 * (or by a name mapped to the broker's user names), so the principal's email, display name
 * and subject are each compared, without regard to case: a feed writes "Jane.Doe@Example.com"
 * as readily as the IdP writes it lower-case. A CI job is never on call.
 */
export function isOnCall(principal: Principal, people: readonly string[]): boolean {
  if (principal.kind !== "user" || people.length === 0) return false;
  const names = new Set(
    [principal.email, principal.name, principal.subject]
      .filter((name): name is string => name !== undefined && name !== "")
      .map((name) => name.toLowerCase()),
  );
  return people.some((person) => names.has(person.toLowerCase()));
}
