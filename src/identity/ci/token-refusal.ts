import { errors } from "jose";
import { formatDuration } from "../../shared/duration.ts";
import { BrokerError, Unauthorized, Unavailable } from "../../shared/errors.ts";

export interface RefusalContext {
  issuer: string;
  audiences: string[];
  maxTokenAgeSeconds: number;
}

/**
 * What to tell a CI job whose token jose refused: one clear sentence each, never the token.
 * Errors that are not about the token (a bug, the issuer being down) are passed on as they are.
 */
export function tokenRefusal(err: unknown, context: RefusalContext): unknown {
  if (err instanceof BrokerError) return err;
  if (err instanceof errors.JWTExpired) {
    return new Unauthorized(
      err.claim === "iat"
        ? `the CI token was issued more than ${formatDuration(context.maxTokenAgeSeconds)} ago; exchange it as soon as the job gets it`
        : "the CI token has expired; request a new one in the job",
    );
  }
  if (err instanceof errors.JWTClaimValidationFailed) return claimRefusal(err, context);
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return new Unauthorized("the CI token's signature does not verify with its issuer's published keys");
  }
  if (err instanceof errors.JWKSNoMatchingKey) {
    return new Unauthorized(`the CI token was signed by a key that ${context.issuer} does not publish`);
  }
  if (err instanceof errors.JWKSMultipleMatchingKeys) {
    return new Unauthorized("the CI token does not say which of its issuer's keys signed it (no kid)");
  }
  if (err instanceof errors.JOSEError)
    return new Unauthorized("the CI token is not a well-formed signed JWT");
  return err;
}

function claimRefusal(err: InstanceType<typeof errors.JWTClaimValidationFailed>, context: RefusalContext) {
  if (err.reason === "missing") return new Unauthorized(`the CI token has no "${err.claim}" claim`);
  switch (err.claim) {
    case "nbf":
      return new Unauthorized("the CI token is not valid yet (its nbf is in the future)");
    case "iat":
      return new Unauthorized("the CI token claims to be issued in the future (check the clocks)");
    case "aud":
      return new Unauthorized(
        `the CI token's audience is not one accepted for ${context.issuer}: ask for ${context.audiences.map((a) => `"${a}"`).join(" or ")}`,
      );
    default:
      return new Unauthorized(`the CI token's "${err.claim}" claim is not valid`);
  }
}

/** Failures while fetching keys are the issuer's, not the token's: 503, so the job can retry. */
export function keyFetchFailure(err: unknown, issuer: string): unknown {
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) return err;
  if (err instanceof BrokerError) return err;
  const why = err instanceof Error ? `: ${err.message}` : "";
  return new Unavailable(`could not fetch the signing keys of CI issuer ${issuer}${why}`, { cause: err });
}
