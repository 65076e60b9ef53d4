import type { Config } from "../config/schema.ts";
import { type AccessAsk, decideStanding, refusalError } from "../policy/index.ts";
import type { Clock } from "../shared/clock.ts";
import { formatDuration } from "../shared/duration.ts";
import { Invalid, Unavailable } from "../shared/errors.ts";
import { randomId, sha256 } from "../shared/ids.ts";
import type { Principal } from "../shared/principal.ts";
import type { Credential, CredentialIssuer } from "./credential-issuer.ts";
import type { Grant } from "./grant.ts";
import type { GrantService } from "./grant-service.ts";
import type { GrantStore } from "./grant-store.ts";

/** A grant this close to its end is not reused; a fresh one is made instead. */
const REUSE_MIN_LEFT_MS = 60_000;
const LOCK_MS = 15_000;

export interface CredentialResult extends Credential {
  grant: Grant;
}

/**
 * The credentials API's logic: a token for (cluster, role, namespaces) from the principal's
 * active grant that covers it (standing, or approved through a request), or from a new
 * standing grant when policy allows one. A per-ask lock keeps parallel callers from creating
 * duplicate grants.
 */
export class AccessService {
  readonly #config: Config;
  readonly #grants: GrantService;
  readonly #store: GrantStore;
  readonly #issuer: CredentialIssuer;
  readonly #clock: Clock;

  constructor(options: {
    config: Config;
    grants: GrantService;
    store: GrantStore;
    issuer: CredentialIssuer;
    clock: Clock;
  }) {
    this.#config = options.config;
    this.#grants = options.grants;
    this.#store = options.store;
    this.#issuer = options.issuer;
    this.#clock = options.clock;
  }

  async credential(principal: Principal, ask: AccessAsk, ttlSeconds?: number): Promise<CredentialResult> {
    const existing = await this.#covering(principal, ask);
    if (existing) return { ...(await this.#issuer.issue(existing)), grant: existing };

    const decision = decideStanding(this.#config, principal, ask);
    if (!decision.allowed) throw refusalError(decision);
    if (ttlSeconds !== undefined && ttlSeconds > decision.maxTtlSeconds) {
      throw new Invalid(
        `the duration ${formatDuration(ttlSeconds)} exceeds the maximum of ${formatDuration(decision.maxTtlSeconds)} for role "${ask.role}" here`,
      );
    }
    const grant = await this.#withLock(principal, ask, async () => {
      // Someone holding the lock before us may have just created it.
      return (
        (await this.#covering(principal, ask)) ??
        this.#grants.create({
          principal,
          cluster: ask.cluster,
          role: ask.role,
          namespaces: ask.namespaces,
          ttlSeconds: ttlSeconds ?? decision.maxTtlSeconds,
          origin: "standing",
          reason: "standing access",
        })
      );
    });
    return { ...(await this.#issuer.issue(grant)), grant };
  }

  async #covering(principal: Principal, ask: AccessAsk): Promise<Grant | undefined> {
    const now = this.#clock.now();
    const grants = await this.#store.listByPrincipal(principal.subject);
    return grants
      .filter(
        (g) =>
          g.state === "active" &&
          g.expiresAt - now > REUSE_MIN_LEFT_MS &&
          g.cluster === ask.cluster &&
          g.role === ask.role &&
          ask.namespaces.every((n) => g.namespaces.includes(n)),
      )
      .sort((a, b) => b.expiresAt - a.expiresAt)[0];
  }

  async #withLock<T>(principal: Principal, ask: AccessAsk, work: () => Promise<T>): Promise<T> {
    const key = `access-${sha256(JSON.stringify([principal.subject, ask.cluster, ask.role, [...ask.namespaces].sort()]))}`;
    const holder = randomId();
    // How long to wait is real time passing (the lock's TTL is Redis's), not the clock's.
    const deadline = performance.now() + LOCK_MS;
    while (!(await this.#store.tryLock(key, holder, LOCK_MS))) {
      if (performance.now() > deadline)
        throw new Unavailable("another request for the same access is still being served; retry");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    try {
      return await work();
    } finally {
      await this.#store.unlock(key, holder);
    }
  }
}
