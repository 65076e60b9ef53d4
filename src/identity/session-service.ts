import type { LifecycleSink } from "../audit/index.ts";
import type { Clock } from "../shared/clock.ts";
import { Unauthorized } from "../shared/errors.ts";
import { randomSecret, sha256 } from "../shared/ids.ts";
import type { Logger } from "../shared/logger.ts";
import type { Principal } from "../shared/principal.ts";
import type { IdentityProvider, IdentityProviders } from "./identity-providers.ts";
import { type IdpIdentity, IdpRefused } from "./oidc-client.ts";
import { openForSession, sealForSession } from "./session-crypto.ts";
import type { SessionStore, StoredSession } from "./session-store.ts";

/** Session secrets carry a prefix so a misplaced one is recognisable (and scannable) at once. */
export const SESSION_PREFIX = "kbs_";

export interface Session {
  principal: Principal;
  expiresAt: number;
}

export interface IssuedSession extends Session {
  secret: string;
}

const LOGIN_AGAIN = "run kubectl broker login";

/** How often a session with a refresh token is re-checked at the IdP. */
const RECHECK_AFTER_MS = 15 * 60_000;

/**
 * Broker sessions: created after an IdP login, presented as a bearer secret, ended by logout,
 * by an admin, or by the IdP. A session lasts the configured TTL only when the IdP gave a
 * refresh token; every `recheckAfterMs` the broker refreshes it, picking up new groups and
 * ending the session if the IdP refuses. Without a refresh token the session ends with the ID
 * token, since nothing could confirm the person after that.
 *
 * A session belongs to the identity provider the person signed in at (its principal's `idp`):
 * that provider's client re-checks it, and once the provider is removed from the config the
 * session ends at its next use.
 */
export class SessionService {
  readonly #store: SessionStore;
  readonly #providers: IdentityProviders;
  readonly #clock: Clock;
  readonly #lifecycle: LifecycleSink;
  readonly #logger: Logger;
  readonly #recheckAfterMs: number;

  constructor(options: {
    store: SessionStore;
    providers: IdentityProviders;
    clock: Clock;
    lifecycle: LifecycleSink;
    logger: Logger;
  }) {
    this.#store = options.store;
    this.#providers = options.providers;
    this.#clock = options.clock;
    this.#lifecycle = options.lifecycle;
    this.#logger = options.logger;
    this.#recheckAfterMs = RECHECK_AFTER_MS;
  }

  async create(identity: IdpIdentity, principal: Principal, how: string): Promise<IssuedSession> {
    const now = this.#clock.now();
    const secret = SESSION_PREFIX + randomSecret();
    const provider = this.#providers.ofSession(principal.idp);
    if (!provider) throw new Unauthorized(`no identity provider "${principal.idp}" is configured`);
    const limit = now + provider.settings.sessionTtl * 1000;
    const expiresAt = identity.refreshToken ? limit : Math.min(limit, identity.idTokenExpiresAt);
    const session: StoredSession = {
      principal,
      createdAt: now,
      expiresAt,
      checkedAt: now,
      ...(identity.refreshToken ? { sealedRefreshToken: sealForSession(secret, identity.refreshToken) } : {}),
    };
    await this.#store.save(sha256(secret), session);
    // With several providers the record says which one vouched for the person.
    await this.#event(
      "login",
      principal,
      this.#providers.several ? `${how} at ${provider.settings.name}` : how,
    );
    return { secret, principal, expiresAt };
  }

  /** The session a bearer secret stands for, re-checked with the IdP when due. */
  async authenticate(secret: string): Promise<Session> {
    if (!secret.startsWith(SESSION_PREFIX))
      throw new Unauthorized(`not a kube-broker session; ${LOGIN_AGAIN}`);
    const hash = sha256(secret);
    const session = await this.#store.get(hash);
    const now = this.#clock.now();
    if (!session || session.expiresAt <= now) {
      throw new Unauthorized(`your kube-broker session has expired or was ended; ${LOGIN_AGAIN}`);
    }
    const provider = await this.#providerOf(hash, session);
    const due = session.sealedRefreshToken && now - session.checkedAt > this.#recheckAfterMs;
    if (due && (await this.#store.claimRecheck(hash, 30_000)))
      return this.#recheck(secret, hash, session, provider);
    const { principal } = session;
    return {
      principal: principal.idp ? principal : { ...principal, idp: provider.settings.name },
      expiresAt: session.expiresAt,
    };
  }

  /**
   * The provider a session came from. A session from one no longer configured ends here, and
   * so does one whose names lack the provider's prefix (it was given one since the sign-in):
   * those names could now be another provider's person's.
   */
  async #providerOf(hash: string, session: StoredSession): Promise<IdentityProvider> {
    const provider = this.#providers.ofSession(session.principal.idp);
    if (provider && session.principal.subject.startsWith(provider.settings.usernamePrefix)) return provider;
    const idp = session.principal.idp ?? "(unnamed)";
    const why = provider ? "changed its name prefix" : "is no longer configured";
    await this.#store.delete(hash, session.principal.subject);
    await this.#event("session.revoked", session.principal, `identity provider "${idp}" ${why}`);
    throw new Unauthorized(
      provider
        ? `identity provider "${idp}" you signed in with has changed at this broker; ${LOGIN_AGAIN}`
        : `you signed in with identity provider "${idp}", which this broker no longer accepts; ${LOGIN_AGAIN}`,
    );
  }

  async logout(secret: string): Promise<void> {
    const hash = sha256(secret);
    const session = await this.#store.get(hash);
    if (session && (await this.#store.delete(hash, session.principal.subject))) {
      await this.#event("logout", session.principal, "");
    }
  }

  /** An admin ends every session of a person at once. */
  async revokeAllOf(subject: string, by: Principal): Promise<number> {
    const count = await this.#store.deleteAllOf(subject);
    await this.#event(
      "session.revoked",
      { kind: "user", subject, name: subject, groups: [] },
      `by ${by.name}; ${count} session(s)`,
    );
    return count;
  }

  async #recheck(
    secret: string,
    hash: string,
    session: StoredSession,
    provider: IdentityProvider,
  ): Promise<Session> {
    const refreshToken = openForSession(secret, session.sealedRefreshToken!);
    try {
      if (!refreshToken) throw new IdpRefused("invalid_grant", "sealed refresh token unreadable");
      const identity = await provider.client.refresh(refreshToken);
      const principal = this.#mapped(identity.claims, provider);
      if (principal.subject !== session.principal.subject)
        throw new IdpRefused("invalid_grant", "subject changed");
      const next: StoredSession = {
        ...session,
        principal,
        checkedAt: this.#clock.now(),
        sealedRefreshToken: sealForSession(secret, identity.refreshToken ?? refreshToken),
      };
      await this.#store.update(hash, next);
      return { principal, expiresAt: next.expiresAt };
    } catch (err) {
      if (!(err instanceof IdpRefused)) {
        // The IdP is unreachable: keep the person signed in rather than lock everyone out.
        this.#logger.warn(
          { subject: session.principal.subject, err: String(err) },
          "IdP re-check failed; will retry",
        );
        return { principal: session.principal, expiresAt: session.expiresAt };
      }
      await this.#store.delete(hash, session.principal.subject);
      await this.#event(
        "session.revoked",
        session.principal,
        `the identity provider refused a refresh (${err.error})`,
      );
      throw new Unauthorized(`your sign-in is no longer valid at the identity provider; ${LOGIN_AGAIN}`);
    }
  }

  /** Claims that no longer make an acceptable person end the session, as a refusal would. */
  #mapped(claims: Record<string, unknown>, provider: IdentityProvider): Principal {
    try {
      return this.#providers.principal(claims, provider);
    } catch (err) {
      if (err instanceof Unauthorized) throw new IdpRefused("invalid_grant", err.message);
      throw err;
    }
  }

  async #event(
    event: "login" | "logout" | "session.revoked",
    principal: Principal,
    detail: string,
  ): Promise<void> {
    await this.#lifecycle
      .publish({ event, user: principal.name, groups: principal.groups.join(","), detail })
      .catch((err: unknown) => this.#logger.error({ event, err }, "lifecycle event not recorded"));
  }
}
