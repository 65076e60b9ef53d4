import { decodeJwt, decodeProtectedHeader, type JWSAlgorithm, type JWTVerifyGetKey, jwtVerify } from "jose";
import type { Config } from "../../config/schema.ts";
import type { Clock } from "../../shared/clock.ts";
import { Unauthorized } from "../../shared/errors.ts";
import type { CiClaims } from "./claim-match.ts";
import type { IssuerKeys } from "./issuer-keys.ts";
import type { ReplayGuard } from "./replay-guard.ts";
import { keyFetchFailure, tokenRefusal } from "./token-refusal.ts";

/**
 * Asymmetric algorithms only. `none` would need no key at all, and any `HS*` would be checked
 * with a "secret" that is in fact the issuer's public key, which anyone can fetch.
 */
export const ACCEPTED_ALGORITHMS: JWSAlgorithm[] = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

/** A CI token that passed every check, with its claims as the issuer sent them. */
export interface VerifiedCiToken {
  issuer: string;
  subject: string;
  claims: CiClaims;
  /** The token's own `exp`, in ms. */
  expiresAt: number;
}

export interface CiTokenVerifierOptions {
  config: Pick<Config, "ci">;
  keys: IssuerKeys;
  replay: ReplayGuard;
  clock: Clock;
}

/**
 * Checks a CI job's ID token before any rule is looked at, cheapest and least trusting first:
 * the algorithm and issuer come from the unverified token, so they decide only whether to go
 * on (an unknown issuer is never contacted); then the signature (keys by OIDC discovery),
 * audience, exp, nbf and iat age; the jti is spent last, so a token refused for any other
 * reason is not remembered.
 */
export class CiTokenVerifier {
  readonly #keys: IssuerKeys;
  readonly #replay: ReplayGuard;
  readonly #clock: Clock;
  readonly #skew: number;
  readonly #maxAge: number;
  /** Every issuer some rule names, with the audiences its rules accept. */
  readonly #audiences = new Map<string, string[]>();

  constructor(options: CiTokenVerifierOptions) {
    this.#keys = options.keys;
    this.#replay = options.replay;
    this.#clock = options.clock;
    this.#skew = options.config.ci.clockSkew;
    this.#maxAge = options.config.ci.maxTokenAge;
    for (const rule of options.config.ci.rules) {
      const list = this.#audiences.get(rule.issuer) ?? [];
      if (!list.includes(rule.audience)) list.push(rule.audience);
      this.#audiences.set(rule.issuer, list);
    }
  }

  async verify(token: string): Promise<VerifiedCiToken> {
    const issuer = this.#trustedIssuer(token);
    const audiences = this.#audiences.get(issuer)!;
    const keys = await this.#keys.keysFor(issuer);
    const resolveKey: JWTVerifyGetKey = async (header, input) => {
      try {
        return await keys(header, input);
      } catch (err) {
        throw keyFetchFailure(err, issuer);
      }
    };
    let claims: CiClaims;
    try {
      ({ payload: claims } = await jwtVerify(token, resolveKey, {
        algorithms: ACCEPTED_ALGORITHMS,
        issuer,
        audience: audiences,
        clockTolerance: this.#skew,
        maxTokenAge: this.#maxAge,
        requiredClaims: ["exp", "iat", "jti", "sub"],
        currentDate: new Date(this.#clock.now()),
      }));
    } catch (err) {
      throw tokenRefusal(err, { issuer, audiences, maxTokenAgeSeconds: this.#maxAge });
    }
    const { sub, jti, exp, iat } = claims as { sub: unknown; jti: unknown; exp: number; iat: number };
    if (typeof sub !== "string" || !sub) throw new Unauthorized('the CI token\'s "sub" claim is not valid');
    if (typeof jti !== "string" || !jti) throw new Unauthorized('the CI token\'s "jti" claim is not valid');
    await this.#spend(issuer, jti, exp, iat);
    return { issuer, subject: sub, claims, expiresAt: exp * 1000 };
  }

  /** From the unverified token: an accepted algorithm and an issuer some rule names. */
  #trustedIssuer(token: string): string {
    let alg: unknown;
    let iss: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
      iss = decodeJwt(token).iss;
    } catch {
      throw new Unauthorized("the CI token is not a well-formed signed JWT");
    }
    if (!ACCEPTED_ALGORITHMS.includes(alg as JWSAlgorithm)) {
      throw new Unauthorized(
        `the CI token's signing algorithm is not accepted; use one of ${ACCEPTED_ALGORITHMS.join(", ")}`,
      );
    }
    if (typeof iss !== "string" || !this.#audiences.has(iss)) {
      const named = typeof iss === "string" ? ` (${JSON.stringify(iss.slice(0, 200))})` : "";
      throw new Unauthorized(`the CI token's issuer${named} is not trusted: no CI rule names it`);
    }
    return iss;
  }

  /**
   * Once only, across replicas. The jti is remembered exactly as long as the token could
   * still pass the time checks above (exp or the iat age limit, whichever ends first, plus skew).
   */
  async #spend(issuer: string, jti: string, exp: number, iat: number): Promise<void> {
    const usableUntil = (Math.min(exp, iat + this.#maxAge) + this.#skew) * 1000;
    if (!(await this.#replay.firstUse(issuer, jti, usableUntil, this.#clock.now()))) {
      throw new Unauthorized("this CI token was already exchanged; each token is accepted once only");
    }
  }

  /** Lets a token be exchanged again after the broker itself failed to serve it. */
  release(token: VerifiedCiToken): Promise<void> {
    return this.#replay.forget(token.issuer, token.claims.jti as string);
  }
}
