import type { Grant } from "../grants/index.ts";
import type { Clock } from "../shared/clock.ts";
import { Unauthorized, Unavailable } from "../shared/errors.ts";
import type { PresentedIdentity } from "./token-authenticator.ts";

/** Where the resolver looks grants up (the grants feature). */
export interface GrantFinder {
  findByServiceAccount(cluster: string, serviceAccountName: string): Promise<Grant | undefined>;
}

/** How long a looked-up grant is trusted without asking Redis again, if no end was announced. */
const CACHE_MS = 2000;

/**
 * Maps a presented ServiceAccount to its grant and insists the grant is active, on every
 * request. Lookups are cached briefly; an end announced by any replica drops the entry at
 * once, and the deadline is checked against the clock every time, so the cache can never
 * keep an ended grant alive. While Redis is unreachable, known grants are served from the
 * cache (ends cannot be announced then anyway) until their deadline.
 */
export class GrantResolver {
  readonly #grants: GrantFinder;
  readonly #clock: Clock;
  readonly #cache = new Map<string, { grant: Grant | undefined; until: number }>();

  constructor(options: { grants: GrantFinder; clock: Clock }) {
    this.#grants = options.grants;
    this.#clock = options.clock;
  }

  async resolve(cluster: string, grantsNamespace: string, identity: PresentedIdentity): Promise<Grant> {
    if (identity.namespace !== grantsNamespace) {
      throw new Unauthorized("the token's ServiceAccount is not managed by kube-broker");
    }
    const key = `${cluster}/${identity.name}`;
    const now = this.#clock.now();
    let entry = this.#cache.get(key);
    if (!entry || entry.until <= now) {
      try {
        entry = {
          grant: await this.#grants.findByServiceAccount(cluster, identity.name),
          until: now + CACHE_MS,
        };
        this.#cache.set(key, entry);
      } catch (err) {
        // Redis is away: keep serving grants we already know (buffered audit mode relies on
        // this), still bounded by each grant's deadline; unknown ones cannot be checked.
        if (!entry)
          throw new Unavailable("the grant store is unavailable; try again shortly", { cause: err });
      }
    }
    const grant = entry.grant;
    if (!grant || grant.serviceAccount.uid !== identity.uid) {
      throw new Unauthorized("the token's ServiceAccount is not managed by kube-broker");
    }
    if (grant.state !== "active" || grant.expiresAt <= now) {
      throw new Unauthorized(`grant ${grant.id} has ended; ask for access again`);
    }
    return grant;
  }

  /** An end was announced: never serve that grant from memory again. */
  forget(grantId: string): void {
    for (const [key, entry] of this.#cache) if (entry.grant?.id === grantId) this.#cache.delete(key);
  }

  /**
   * The subscription was lost, so an end may have been missed: ask Redis again on each
   * entry's next use. The entries stay as the fallback for a Redis that is not answering
   * yet (the subscriber often reconnects before the client the lookups use), exactly as
   * during the outage itself; clearing them would refuse known grants with a 503 then.
   */
  revalidateAll(): void {
    for (const entry of this.#cache.values()) entry.until = 0;
  }
}
