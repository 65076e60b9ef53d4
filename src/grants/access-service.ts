import type { Config } from "../config/schema.ts";
import {
  type AccessAsk,
  decideStanding,
  decideStandingEverywhere,
  type Refusal,
  refusalError,
} from "../policy/index.ts";
import type { Clock } from "../shared/clock.ts";
import { formatDuration } from "../shared/duration.ts";
import { Invalid, Unavailable } from "../shared/errors.ts";
import { randomId, sha256 } from "../shared/ids.ts";
import type { Principal } from "../shared/principal.ts";
import type { Credential, CredentialIssuer } from "./credential-issuer.ts";
import { type Grant, isActive } from "./grant.ts";
import type { GrantService } from "./grant-service.ts";
import type { GrantStore } from "./grant-store.ts";
import type { SuspensionService } from "./suspension-service.ts";

/**
 * A standing grant this close to its end is replaced by a fresh one (policy allowing), so a
 * person with standing access is not handed a token for its last seconds. Any other grant
 * is used until its deadline: it is all the access there is.
 */
const RENEW_STANDING_LEFT_MS = 60_000;
const LOCK_MS = 15_000;

/** Standing policy's answer for a new grant: how long at most, and where it is placed. */
type Decision =
  | {
      allowed: true;
      maxTtlSeconds: number;
      placement: { namespaces: string[]; namespacePatterns?: string[] };
    }
  | Refusal;

export interface CredentialResult extends Credential {
  grant: Grant;
}

/**
 * The credentials API's logic: a token for (cluster, role, namespaces) from the principal's
 * active grant that covers it (standing, or approved through a request), or from a new
 * standing grant when policy allows one. An active grant is used up to its deadline and
 * never answered with "no policy"; its token may be cut short by the deadline (the API
 * server's ten-minute minimum is no obstacle: the gateway checks the deadline, and the
 * expiry reported is the grant's). An ask without namespaces for a namespaced role is for
 * every namespace the person's standing rules allow: the grant then follows those rules'
 * namespace patterns. A per-ask lock keeps parallel callers from creating duplicate grants.
 * A person whose standing access to the cluster is suspended gets only requested access.
 */
export class AccessService {
  readonly #config: Config;
  readonly #grants: GrantService;
  readonly #store: GrantStore;
  readonly #issuer: CredentialIssuer;
  readonly #suspensions: Pick<SuspensionService, "refuseIfSuspended">;
  readonly #clock: Clock;

  constructor(options: {
    config: Config;
    grants: GrantService;
    store: GrantStore;
    issuer: CredentialIssuer;
    suspensions: Pick<SuspensionService, "refuseIfSuspended">;
    clock: Clock;
  }) {
    this.#config = options.config;
    this.#grants = options.grants;
    this.#store = options.store;
    this.#issuer = options.issuer;
    this.#suspensions = options.suspensions;
    this.#clock = options.clock;
  }

  async credential(principal: Principal, ask: AccessAsk, ttlSeconds?: number): Promise<CredentialResult> {
    const { fits, decision } = this.#target(principal, ask);
    const mine = await this.#store.listByPrincipal(principal.subject);
    const existing = longestActive(mine, fits, this.#clock.now());
    // Requested access is what a suspended person still has; standing access waits for an admin.
    if (existing && existing.origin !== "standing") return this.#issue(existing);
    await this.#suspensions.refuseIfSuspended(principal, ask.cluster);
    if (existing && !this.#renewable(existing)) return this.#issue(existing);

    if (!decision.allowed) {
      if (existing) return this.#issue(existing);
      throw refusalError({ ...decision, reason: withEnded(decision.reason, mine, fits) });
    }
    if (ttlSeconds !== undefined && ttlSeconds > decision.maxTtlSeconds) {
      throw new Invalid(
        `the duration ${formatDuration(ttlSeconds)} exceeds the maximum of ${formatDuration(decision.maxTtlSeconds)} for role "${ask.role}" here`,
      );
    }
    const grant = await this.#withLock(principal, ask, async () => {
      // Someone holding the lock before us may have just created it.
      const now = this.#clock.now();
      const fresh = longestActive(await this.#store.listByPrincipal(principal.subject), fits, now);
      return (
        (fresh && !this.#renewable(fresh) ? fresh : undefined) ??
        this.#grants.create({
          principal,
          cluster: ask.cluster,
          role: ask.role,
          ...decision.placement,
          ttlSeconds: ttlSeconds ?? decision.maxTtlSeconds,
          origin: "standing",
          reason: "standing access",
        })
      );
    });
    // A suspension that landed while the grant was being made: the grant must not outlive it.
    await this.#suspensions.refuseIfSuspended(principal, ask.cluster).catch(async (err: unknown) => {
      await this.#grants.end(grant, "revoked", "standing access was suspended while it was being made");
      throw err;
    });
    return this.#issue(grant);
  }

  /** Which grants serve the ask, and what standing policy says about a new one. */
  #target(principal: Principal, ask: AccessAsk): { fits: (grant: Grant) => boolean; decision: Decision } {
    const role = this.#config.roles.find((r) => r.name === ask.role);
    if (ask.namespaces.length === 0 && role?.scope === "namespaced") {
      const everywhere = decideStandingEverywhere(this.#config, principal, ask.cluster, ask.role);
      return {
        fits: (g) => g.cluster === ask.cluster && g.role === ask.role && g.namespacePatterns !== undefined,
        decision: everywhere.allowed
          ? {
              allowed: true,
              maxTtlSeconds: everywhere.maxTtlSeconds,
              placement: { namespaces: [], namespacePatterns: everywhere.patterns },
            }
          : everywhere,
      };
    }
    const standing = decideStanding(this.#config, principal, ask);
    return {
      fits: (g) => covers(g, ask),
      decision: standing.allowed
        ? { allowed: true, maxTtlSeconds: standing.maxTtlSeconds, placement: { namespaces: ask.namespaces } }
        : standing,
    };
  }

  async #issue(grant: Grant): Promise<CredentialResult> {
    return { ...(await this.#issuer.issue(grant)), grant };
  }

  /** A standing grant in its last minute: worth replacing with a fresh one, if policy allows. */
  #renewable(grant: Grant): boolean {
    return grant.origin === "standing" && grant.expiresAt - this.#clock.now() <= RENEW_STANDING_LEFT_MS;
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

function covers(grant: Grant, ask: AccessAsk): boolean {
  return (
    grant.cluster === ask.cluster &&
    grant.role === ask.role &&
    ask.namespaces.every((namespace) => grant.namespaces.includes(namespace))
  );
}

/** The active grant that fits the ask and lasts longest, if any. */
function longestActive(grants: Grant[], fits: (grant: Grant) => boolean, now: number): Grant | undefined {
  return grants.filter((g) => isActive(g, now) && fits(g)).sort((a, b) => b.expiresAt - a.expiresAt)[0];
}

/**
 * A refusal that says so when the person did hold this access until recently: "no policy"
 * alone reads as if they never had it.
 */
function withEnded(reason: string, grants: Grant[], fits: (grant: Grant) => boolean): string {
  const ended = grants
    .filter((g) => g.state === "ended" && g.endedAt !== undefined && fits(g))
    .sort((a, b) => b.endedAt! - a.endedAt!)[0];
  if (!ended) return reason;
  const how = ended.endReason === "expired" ? "reached its deadline" : (ended.endDetail ?? ended.endReason);
  return `your grant ${ended.id} for this access ended at ${new Date(ended.endedAt!).toISOString()} (${how}); ${reason}`;
}
