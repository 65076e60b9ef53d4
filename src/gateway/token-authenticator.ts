import { AuthenticationV1Api, type KubeConfig } from "@kubernetes/client-node";
import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from "jose";
import { Unauthorized } from "../shared/errors.ts";
import { sha256 } from "../shared/ids.ts";
import type { ClusterKeys } from "./cluster-keys.ts";

/** Who a presented token says it is: a ServiceAccount, until when. */
export interface PresentedIdentity {
  namespace: string;
  name: string;
  uid: string;
  /** ms */
  expiresAt: number;
}

export interface TokenAuthenticator {
  /** Throws Unauthorized for anything but a valid ServiceAccount token with the expected audience. */
  authenticate(token: string): Promise<PresentedIdentity>;
}

const ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"];
const SA_PREFIX = "system:serviceaccount:";

/**
 * Verifies service-account JWTs offline against the cluster's JWKS. Verified tokens are
 * remembered by hash until they expire, so each token costs one signature check. Deletion of
 * the ServiceAccount is caught by the grant check the gateway makes on every request, not
 * here (an offline verifier cannot see it).
 */
export class JwksTokenAuthenticator implements TokenAuthenticator {
  readonly #keys: ClusterKeys;
  readonly #audiences: string[];
  readonly #cache = new BoundedCache<PresentedIdentity>(10_000);

  constructor(options: { keys: ClusterKeys; audiences: string[] }) {
    this.#keys = options.keys;
    this.#audiences = options.audiences;
  }

  async authenticate(token: string): Promise<PresentedIdentity> {
    const key = sha256(token);
    const cached = this.#cache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached;
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
      });
      const identity = identityFrom(payload);
      this.#cache.set(key, identity);
      return identity;
    } catch (err) {
      throw new Unauthorized(describe(err));
    }
  }
}

/** Asks the cluster (TokenReview) instead; answers are cached briefly by token hash. */
export class TokenReviewAuthenticator implements TokenAuthenticator {
  readonly #api: AuthenticationV1Api;
  readonly #audiences: string[];
  readonly #cacheMs: number;
  readonly #cache = new BoundedCache<PresentedIdentity & { until: number }>(10_000);

  constructor(options: { kubeConfig: KubeConfig; audiences: string[]; cacheMs?: number }) {
    this.#api = options.kubeConfig.makeApiClient(AuthenticationV1Api);
    this.#audiences = options.audiences;
    this.#cacheMs = options.cacheMs ?? 10_000;
  }

  async authenticate(token: string): Promise<PresentedIdentity> {
    const key = sha256(token);
    const cached = this.#cache.get(key);
    if (cached && cached.until > Date.now()) return cached;
    const review = await this.#api.createTokenReview({
      body: { spec: { token, ...(this.#audiences.length > 0 ? { audiences: this.#audiences } : {}) } },
    });
    const user = review.status?.user;
    if (!review.status?.authenticated || !user?.username?.startsWith(SA_PREFIX)) {
      throw new Unauthorized("the token was not accepted by the cluster for this gateway");
    }
    const [namespace = "", name = ""] = user.username.slice(SA_PREFIX.length).split(":");
    const exp = expiryOf(token);
    const identity = { namespace, name, uid: user.uid ?? "", expiresAt: exp };
    this.#cache.set(key, { ...identity, until: Math.min(Date.now() + this.#cacheMs, exp) });
    return identity;
  }
}

function identityFrom(payload: Record<string, unknown>): PresentedIdentity {
  const k8s = payload["kubernetes.io"] as
    | { namespace?: string; serviceaccount?: { name?: string; uid?: string } }
    | undefined;
  const sub = typeof payload.sub === "string" ? payload.sub : "";
  if (!sub.startsWith(SA_PREFIX) || !k8s?.namespace || !k8s.serviceaccount?.name || !k8s.serviceaccount.uid) {
    throw new Unauthorized("the token is not a ServiceAccount token");
  }
  return {
    namespace: k8s.namespace,
    name: k8s.serviceaccount.name,
    uid: k8s.serviceaccount.uid,
    expiresAt: Number(payload.exp) * 1000,
  };
}

function expiryOf(token: string): number {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as {
      exp?: number;
    };
    return (payload.exp ?? 0) * 1000 || Date.now() + 60_000;
  } catch {
    return Date.now() + 60_000;
  }
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

/** A Map that forgets its oldest entries past a size, so a flood of tokens cannot grow memory. */
class BoundedCache<T> {
  readonly #max: number;
  readonly #map = new Map<string, T>();
  constructor(max: number) {
    this.#max = max;
  }
  get(key: string): T | undefined {
    return this.#map.get(key);
  }
  set(key: string, value: T): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value!);
  }
}
