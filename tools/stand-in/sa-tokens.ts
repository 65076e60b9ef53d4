/**
 * Service-account JWTs as the real token issuer writes them (pkg/serviceaccount/claims.go):
 * RS256, `kid` = base64url(SHA-256(DER public key)), the claims REFERENCE.md lists, and the
 * issuer-discovery documents. Verification allows a minute of clock skew, like go-jose's
 * default leeway that the API server uses. The token controller's legacy tokens
 * (pkg/serviceaccount/legacy.go) are signed with the same key: issuer
 * "kubernetes/serviceaccount", no audience and no expiry.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomUUID, sign } from "node:crypto";
import { exportJWK, type JWK, jwtVerify, SignJWT } from "jose";

export const LEGACY_ISSUER = "kubernetes/serviceaccount";

/** legacyPrivateClaims plus the subject and issuer, as go-jose writes them (keys sorted). */
export interface LegacyClaims {
  iss: string;
  "kubernetes.io/serviceaccount/namespace": string;
  "kubernetes.io/serviceaccount/secret.name": string;
  "kubernetes.io/serviceaccount/service-account.name": string;
  "kubernetes.io/serviceaccount/service-account.uid": string;
  sub: string;
}

export interface BoundObject {
  name: string;
  uid: string;
}

export interface KubernetesClaim {
  namespace: string;
  serviceaccount: BoundObject;
  pod?: BoundObject;
  secret?: BoundObject;
  node?: BoundObject;
  warnafter?: number;
}

export interface ServiceAccountClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  "kubernetes.io": KubernetesClaim;
}

export interface IssueRequest {
  namespace: string;
  serviceAccount: BoundObject;
  audiences: string[];
  /** Lifetime of the JWT (`exp - iat`). */
  expirationSeconds: number;
  pod?: BoundObject;
  secret?: BoundObject;
  node?: BoundObject;
  /** Seconds after issue when a (3607-extended) token should be reported as stale. */
  warnAfterSeconds?: number;
  now?: Date;
}

export class TokenIssuer {
  readonly issuer: string;
  readonly kid: string;
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #publicJwk: JWK;

  private constructor(issuer: string, privateKey: KeyObject, publicKey: KeyObject, publicJwk: JWK) {
    this.issuer = issuer;
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
    const der = publicKey.export({ type: "spki", format: "der" });
    this.kid = createHash("sha256").update(der).digest("base64url");
    this.#publicJwk = { use: "sig", kty: "RSA", kid: this.kid, alg: "RS256", n: publicJwk.n, e: publicJwk.e };
  }

  static async create(issuer: string): Promise<TokenIssuer> {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    return new TokenIssuer(issuer, privateKey, publicKey, await exportJWK(publicKey));
  }

  async issue(request: IssueRequest): Promise<{ token: string; claims: ServiceAccountClaims }> {
    const now = Math.floor((request.now ?? new Date()).getTime() / 1000);
    const kubernetes: KubernetesClaim = {
      namespace: request.namespace,
      serviceaccount: request.serviceAccount,
    };
    if (request.node) kubernetes.node = request.node;
    if (request.pod) kubernetes.pod = request.pod;
    if (request.secret) kubernetes.secret = request.secret;
    if (request.warnAfterSeconds) kubernetes.warnafter = now + request.warnAfterSeconds;
    const claims: ServiceAccountClaims = {
      aud: request.audiences,
      exp: now + request.expirationSeconds,
      iat: now,
      iss: this.issuer,
      jti: randomUUID(),
      "kubernetes.io": kubernetes,
      nbf: now,
      sub: `system:serviceaccount:${request.namespace}:${request.serviceAccount.name}`,
    };
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: "RS256", kid: this.kid })
      .sign(this.#privateKey);
    return { token, claims };
  }

  /** A Secret-based token for `serviceAccount` as the token controller generates it (synchronously). */
  issueLegacy(namespace: string, serviceAccount: BoundObject, secretName: string): string {
    const claims: LegacyClaims = {
      iss: LEGACY_ISSUER,
      "kubernetes.io/serviceaccount/namespace": namespace,
      "kubernetes.io/serviceaccount/secret.name": secretName,
      "kubernetes.io/serviceaccount/service-account.name": serviceAccount.name,
      "kubernetes.io/serviceaccount/service-account.uid": serviceAccount.uid,
      sub: `system:serviceaccount:${namespace}:${serviceAccount.name}`,
    };
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const input = `${encode({ alg: "RS256", kid: this.kid })}.${encode(claims)}`;
    return `${input}.${sign("sha256", Buffer.from(input), this.#privateKey).toString("base64url")}`;
  }

  /** The signature and issuer of a legacy token; its claims are the caller's to check. */
  async verifyLegacy(token: string): Promise<LegacyClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.#publicKey, {
        issuer: LEGACY_ISSUER,
        algorithms: ["RS256"],
        clockTolerance: 60,
      });
      return payload as unknown as LegacyClaims;
    } catch {
      return undefined;
    }
  }

  /** Signature, issuer, exp and nbf (not the audience, which depends on who asks). */
  async verify(token: string): Promise<{ claims?: ServiceAccountClaims; error?: string }> {
    try {
      const { payload } = await jwtVerify(token, this.#publicKey, {
        issuer: this.issuer,
        algorithms: ["RS256"],
        clockTolerance: 60,
      });
      return { claims: payload as unknown as ServiceAccountClaims };
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "ERR_JWT_EXPIRED") return { error: "service account token has expired" };
      return { error: "invalid bearer token" };
    }
  }

  /** `/openid/v1/jwks`. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.#publicJwk] };
  }

  /** `/.well-known/openid-configuration`; the JWKS URI derives from the server's own address. */
  discovery(serverUrl: string): Record<string, unknown> {
    return {
      issuer: this.issuer,
      jwks_uri: `${serverUrl}/openid/v1/jwks`,
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
    };
  }
}
