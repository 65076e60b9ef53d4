import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from "jose";
import type { Clock } from "../shared/clock.ts";
import { Unauthorized } from "../shared/errors.ts";
import type { ClusterKeys } from "./cluster-keys.ts";
import {
  type PresentedIdentity,
  SERVICE_ACCOUNT_PREFIX,
  type TokenAuthenticator,
} from "./token-authenticator.ts";
import { VerifiedTokens } from "./verified-tokens.ts";

const ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"];

/**
 * Verifies service-account JWTs offline against the cluster's JWKS. Verified tokens are
 * remembered by hash until they expire, so each token costs one signature check. Deletion of
 * the ServiceAccount is caught by the grant check the gateway makes on every request, not
 * here (an offline verifier cannot see it).
 */
export class JwksTokenAuthenticator implements TokenAuthenticator {
  readonly #keys: ClusterKeys;
  readonly #audiences: string[];
  readonly #verified: VerifiedTokens;

  constructor(options: { keys: ClusterKeys; audiences: string[]; clock: Clock }) {
    this.#keys = options.keys;
    this.#audiences = options.audiences;
    this.#verified = new VerifiedTokens({ clock: options.clock });
  }

  authenticate(token: string): Promise<PresentedIdentity> {
    return this.#verified.identityOf(token, async (now) => {
      const identity = await this.#verify(token, now);
      return { identity, until: identity.expiresAt };
    });
  }

  async #verify(token: string, now: number): Promise<PresentedIdentity> {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw new Unauthorized("the bearer token is not a JWT");
    }
    const { issuer, jwks } = await this.#keys.forKid(kid);
    try {
      const { payload } = await jwtVerify(token, jwks, {
        algorithms: ALGORITHMS,
        ...(issuer ? { issuer } : {}),
        ...(this.#audiences.length > 0 ? { audience: this.#audiences } : {}),
        clockTolerance: 5,
        currentDate: new Date(now),
      });
      return identityFrom(payload);
    } catch (err) {
      throw new Unauthorized(describe(err));
    }
  }
}

function identityFrom(payload: Record<string, unknown>): PresentedIdentity {
  const k8s = payload["kubernetes.io"] as
    | { namespace?: string; serviceaccount?: { name?: string; uid?: string } }
    | undefined;
  const sub = typeof payload.sub === "string" ? payload.sub : "";
  if (
    !sub.startsWith(SERVICE_ACCOUNT_PREFIX) ||
    !k8s?.namespace ||
    !k8s.serviceaccount?.name ||
    !k8s.serviceaccount.uid
  ) {
    throw new Unauthorized("the token is not a ServiceAccount token");
  }
  return {
    namespace: k8s.namespace,
    name: k8s.serviceaccount.name,
    uid: k8s.serviceaccount.uid,
    expiresAt: Number(payload.exp) * 1000,
  };
}

function describe(err: unknown): string {
  if (err instanceof Unauthorized) return err.message;
  if (err instanceof joseErrors.JWTExpired)
    return "the token has expired; kubectl fetches a new one on its next run";
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    return err.claim === "aud"
      ? "the token is not meant for this gateway (wrong audience)"
      : `the token's ${err.claim} claim is not valid`;
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed)
    return "the token is signed with an algorithm the gateway refuses";
  return "the token's signature does not verify against the cluster's keys";
}
