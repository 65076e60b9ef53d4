import type { LifecycleSink } from "../audit/index.ts";
import type { Clock } from "../shared/clock.ts";
import { Forbidden, NotFound } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import { type Grant, isActive } from "./grant.ts";
import { type GrantCluster, handedOutAudiences } from "./grant-cluster.ts";
import { publishGrantEvent } from "./grant-events.ts";
import { reportedExpiry, tokenExpirationSeconds } from "./token-lifetime.ts";

export interface Credential {
  token: string;
  /** When the caller should ask again (earlier than the JWT's exp). */
  expiresAt: number;
  grantId: string;
}

/** Refresh the server-held token when this little of it is left. */
const API_TOKEN_REFRESH_MS = 120_000;

interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * Mints TokenRequest tokens for active grants: the one handed out (gateway or API audience,
 * as configured) and the API-audience token the gateway forwards with, which never leaves
 * the broker. The latter is cached in memory per grant until shortly before it expires;
 * concurrent callers share one TokenRequest.
 */
export class CredentialIssuer {
  readonly #clusters: Map<string, GrantCluster>;
  readonly #clock: Clock;
  readonly #lifecycle: LifecycleSink;
  readonly #logger: Logger;
  readonly #apiTokens = new Map<string, CachedToken>();
  readonly #inflight = new Map<string, Promise<CachedToken>>();

  constructor(options: {
    clusters: Map<string, GrantCluster>;
    clock: Clock;
    lifecycle: LifecycleSink;
    logger: Logger;
  }) {
    this.#clusters = options.clusters;
    this.#clock = options.clock;
    this.#lifecycle = options.lifecycle;
    this.#logger = options.logger;
  }

  /** A token for the grant's holder, with the audience the cluster is configured for. */
  async issue(grant: Grant): Promise<Credential> {
    const cluster = this.#activeCluster(grant);
    const issued = await this.#mint(cluster, grant, handedOutAudiences(cluster.config));
    void publishGrantEvent(
      this.#lifecycle,
      this.#logger,
      "token.issued",
      grant,
      `expires ${new Date(issued.expiresAt).toISOString()}`,
    );
    return {
      token: issued.token,
      expiresAt: reportedExpiry(issued.expiresAt, grant.expiresAt),
      grantId: grant.id,
    };
  }

  /** The API-audience token the gateway forwards with; cached, never handed out. */
  async apiToken(grant: Grant): Promise<string> {
    const cached = this.#apiTokens.get(grant.id);
    if (cached && cached.expiresAt - this.#clock.now() > API_TOKEN_REFRESH_MS) return cached.token;
    let pending = this.#inflight.get(grant.id);
    if (!pending) {
      const cluster = this.#activeCluster(grant);
      pending = this.#mint(cluster, grant, cluster.config.apiAudiences).finally(() =>
        this.#inflight.delete(grant.id),
      );
      this.#inflight.set(grant.id, pending);
    }
    const fresh = await pending;
    this.#apiTokens.set(grant.id, fresh);
    return fresh.token;
  }

  /** Drops a grant's cached token (its ServiceAccount is gone, so the token is dead anyway). */
  forget(grantId: string): void {
    this.#apiTokens.delete(grantId);
  }

  #activeCluster(grant: Grant): GrantCluster {
    if (!isActive(grant, this.#clock.now())) {
      const why = grant.state === "ended" ? `ended (${grant.endReason})` : "is not active";
      throw new Forbidden(`grant ${grant.id} ${why}; ask for access again`);
    }
    const cluster = this.#clusters.get(grant.cluster);
    if (!cluster) throw new NotFound(`cluster "${grant.cluster}" is not configured`);
    return cluster;
  }

  #mint(cluster: GrantCluster, grant: Grant, audiences: string[]): Promise<CachedToken> {
    const expirationSeconds = tokenExpirationSeconds(
      cluster.config.tokenTtl,
      grant.expiresAt,
      this.#clock.now(),
    );
    return cluster.api.requestToken(grant.serviceAccount, { audiences, expirationSeconds });
  }
}
