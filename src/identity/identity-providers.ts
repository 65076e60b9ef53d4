import type { OidcProviderConfig } from "../config/schema.ts";
import { BadRequest } from "../shared/errors.ts";
import type { Principal } from "../shared/principal.ts";
import { principalFromClaims } from "./claims.ts";
import type { OidcClient } from "./oidc-client.ts";

/** One configured identity provider and the broker's client there. */
export interface IdentityProvider {
  settings: OidcProviderConfig;
  client: OidcClient;
}

/** What a sign-in page lists: a provider's name and what to call it. */
export interface ProviderChoice {
  name: string;
  displayName: string;
}

/**
 * The identity providers people sign in at, by name. Each has its own client, and each
 * client discovers its IdP on first use (openid-oidc-client.ts), so one IdP being down stops
 * only the logins and re-checks that need it.
 */
export class IdentityProviders {
  readonly #byName: Map<string, IdentityProvider>;
  readonly #settings: OidcProviderConfig[];

  constructor(providers: IdentityProvider[]) {
    this.#byName = new Map(providers.map((p) => [p.settings.name, p]));
    this.#settings = providers.map((p) => p.settings);
  }

  get several(): boolean {
    return this.#settings.length > 1;
  }

  /** Whether a login that names `idp` must first offer the choice: it names none, of several. */
  mustChoose(idp: unknown): boolean {
    return this.several && (idp === undefined || idp === "");
  }

  /** Where logins may finish at one provider, or (before the choice) at any of them. */
  allowedRedirects(provider: IdentityProvider | undefined): string[] {
    return provider ? provider.settings.allowedRedirects : this.#settings.flatMap((p) => p.allowedRedirects);
  }

  choices(): ProviderChoice[] {
    return this.#settings.map((p) => ({ name: p.name, displayName: p.displayName ?? p.name }));
  }

  /** A provider by name; undefined if none is configured under it (any more). */
  find(name: string): IdentityProvider | undefined {
    return this.#byName.get(name);
  }

  /**
   * The provider a login asked for: by name, or the only one. With several and none named the
   * caller must offer the choice instead (`mustChoose`); an unknown name is a 400 listing them.
   */
  chosen(name: unknown): IdentityProvider {
    if (name === undefined || name === "") {
      if (this.several) throw new BadRequest(`choose an identity provider: ${this.#names()}`);
      return this.#byName.get(this.#settings[0]!.name)!;
    }
    const found = typeof name === "string" ? this.#byName.get(name) : undefined;
    if (!found)
      throw new BadRequest(`no identity provider is named "${String(name)}"; there are: ${this.#names()}`);
    return found;
  }

  /**
   * The provider a stored session came from. Sessions made before providers had names carry
   * none: they were made by the provider with no username prefix, whose names they hold.
   */
  ofSession(idp: string | undefined): IdentityProvider | undefined {
    if (idp !== undefined) return this.#byName.get(idp);
    const unprefixed = this.#settings.find((p) => p.usernamePrefix === "");
    return unprefixed ? this.#byName.get(unprefixed.name) : undefined;
  }

  principal(claims: Record<string, unknown>, provider: IdentityProvider): Principal {
    return principalFromClaims(claims, provider.settings, this.#settings);
  }

  #names(): string {
    return this.#settings.map((p) => p.name).join(", ");
  }
}
