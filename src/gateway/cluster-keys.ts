import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import { type KubeConnection, kubeJson } from "../cluster/index.ts";
import type { Clock } from "../shared/clock.ts";

/** How long an unknown `kid` waits before the JWKS is fetched again (a forged kid costs little). */
const REFETCH_COOLDOWN_MS = 10_000;

/**
 * The cluster's service-account issuer and signing keys (issuer discovery and
 * /openid/v1/jwks), fetched with the broker's own credentials and the cluster's CA. Kept in
 * memory; refetched when a token names a key id the set does not have.
 */
export class ClusterKeys {
  readonly #connection: KubeConnection;
  readonly #clock: Clock;
  #keys: { issuer: string; jwks: JWTVerifyGetKey; kids: Set<string> } | undefined;
  #fetching: Promise<void> | undefined;
  #fetchedAt = 0;

  constructor(options: { connection: KubeConnection; clock: Clock }) {
    this.#connection = options.connection;
    this.#clock = options.clock;
  }

  /** The issuer and key set, refetched first when `kid` is unknown and the cooldown allows. */
  async forKid(kid: string | undefined): Promise<{ issuer: string; jwks: JWTVerifyGetKey }> {
    const known = this.#keys && (kid === undefined || this.#keys.kids.has(kid));
    if (!this.#keys || (!known && this.#clock.now() - this.#fetchedAt > REFETCH_COOLDOWN_MS))
      await this.#refresh();
    return this.#keys!;
  }

  #refresh(): Promise<void> {
    this.#fetching ??= (async () => {
      try {
        const discovery = (await this.#get("/.well-known/openid-configuration")) as { issuer?: string };
        const jwks = (await this.#get("/openid/v1/jwks")) as JSONWebKeySet;
        this.#keys = {
          issuer: discovery.issuer ?? "",
          jwks: createLocalJWKSet(jwks),
          kids: new Set(jwks.keys.map((k) => k.kid ?? "")),
        };
        this.#fetchedAt = this.#clock.now();
      } finally {
        this.#fetching = undefined;
      }
    })();
    return this.#fetching;
  }

  #get(path: string): Promise<unknown> {
    return kubeJson(this.#connection, "GET", path);
  }
}
