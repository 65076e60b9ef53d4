import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import type { Clock } from "../../shared/clock.ts";
import { Unavailable } from "../../shared/errors.ts";

import type { IssuerKeys } from "./issuer-keys.ts";

export interface DiscoveredIssuerKeysOptions {
  clock: Clock;
  /**
   * How soon after a JWKS fetch an unknown `kid` may cause another fetch. Without it, tokens
   * with made-up `kid`s would make the broker hammer the issuer. jose's default is 30 s.
   */
  refetchCooldownMs?: number;
  /** How long discovery documents are trusted before being fetched again. */
}

interface CachedIssuer {
  keys: Promise<JWTVerifyGetKey>;
  fetchedAt: number;
}

/**
 * OIDC discovery (`<iss>/.well-known/openid-configuration` → `jwks_uri`) and jose's remote
 * JWKS, cached per issuer. jose keeps the key set, refetches it when a token names an unknown
 * `kid` (at most once per cooldown) and when it is older than its max age. A failed
 * discovery is not cached, so the next exchange tries again.
 */
export class DiscoveredIssuerKeys implements IssuerKeys {
  readonly #clock: Clock;
  readonly #cooldownMs: number;
  readonly #discoveryMaxAgeMs: number;
  readonly #timeoutMs: number;
  readonly #issuers = new Map<string, CachedIssuer>();

  constructor(options: DiscoveredIssuerKeysOptions) {
    this.#clock = options.clock;
    this.#cooldownMs = options.refetchCooldownMs ?? 30_000;
    this.#discoveryMaxAgeMs = 24 * 3600_000;
    this.#timeoutMs = 5_000;
  }

  keysFor(issuer: string): Promise<JWTVerifyGetKey> {
    const cached = this.#issuers.get(issuer);
    if (cached && this.#clock.now() - cached.fetchedAt < this.#discoveryMaxAgeMs) return cached.keys;
    const keys = this.#discover(issuer);
    this.#issuers.set(issuer, { keys, fetchedAt: this.#clock.now() });
    keys.catch(() => {
      if (this.#issuers.get(issuer)?.keys === keys) this.#issuers.delete(issuer);
    });
    return keys;
  }

  async #discover(issuer: string): Promise<JWTVerifyGetKey> {
    const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
    let document: unknown;
    try {
      const res = await fetch(url, { redirect: "error", signal: AbortSignal.timeout(this.#timeoutMs) });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      document = await res.json();
    } catch (err) {
      throw unreachable(issuer, err);
    }
    const jwksUri = jwksUriOf(issuer, document);
    return createRemoteJWKSet(jwksUri, {
      cooldownDuration: this.#cooldownMs,
      timeoutDuration: this.#timeoutMs,
    });
  }
}

/** The discovery document must be the issuer's own and point at its keys over https (or http for an http issuer). */
function jwksUriOf(issuer: string, document: unknown): URL {
  const { issuer: claimed, jwks_uri: jwksUri } = (document ?? {}) as Record<string, unknown>;
  if (claimed !== issuer) {
    throw unreachable(issuer, new Error("its discovery document names another issuer"));
  }
  const parsed = typeof jwksUri === "string" && URL.canParse(jwksUri) ? new URL(jwksUri) : undefined;
  const allowed = new URL(issuer).protocol === "http:" ? ["https:", "http:"] : ["https:"];
  if (!parsed || !allowed.includes(parsed.protocol)) {
    throw unreachable(issuer, new Error("its discovery document has no usable jwks_uri"));
  }
  return parsed;
}

function unreachable(issuer: string, cause: unknown): Unavailable {
  const why = cause instanceof Error ? `: ${cause.message}` : "";
  return new Unavailable(`could not discover the signing keys of CI issuer ${issuer}${why}`, { cause });
}
