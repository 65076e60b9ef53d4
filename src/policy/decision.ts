import { type BrokerError, Forbidden, Invalid } from "../shared/errors.ts";

/**
 * A refused decision. `invalid`: the ask itself is wrong (unknown role or cluster, namespaces
 * that do not fit the role); `denied`: the ask is fine but no policy allows it. The reason is
 * a sentence meant for the person asking; it names only what they asked for and themselves.
 */
export interface Refusal {
  allowed: false;
  kind: "invalid" | "denied";
  reason: string;
}

/** The typed error for a refusal: 422 Invalid for bad input, 403 Forbidden for no rights. */
export function refusalError(refusal: Refusal): BrokerError {
  return refusal.kind === "invalid" ? new Invalid(refusal.reason) : new Forbidden(refusal.reason);
}
