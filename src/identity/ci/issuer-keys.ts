import type { JWTVerifyGetKey } from "jose";

/**
 * Where the verifier gets an issuer's public keys. The verifier owns this interface so its
 * unit tests can hand it a local key set; production uses OIDC discovery (below).
 */
export interface IssuerKeys {
  /** A key resolver for tokens of this (already trusted) issuer. */
  keysFor(issuer: string): Promise<JWTVerifyGetKey>;
}
