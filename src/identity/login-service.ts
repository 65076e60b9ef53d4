/**
 * Login for people. The broker is the OIDC client (authorization code + PKCE, state, nonce,
 * with openid-client); the CLI never talks to the IdP and never sees an IdP token. It gets a
 * broker session in one of two ways:
 *
 * - loopback: the CLI listens on 127.0.0.1, opens the browser at /v1/login/start with its
 *   own PKCE challenge and state. The broker runs the IdP login, then redirects the browser
 *   to the CLI with a one-time code (single use, 60 s, stored only as a hash), which the CLI
 *   redeems at /v1/login/token with its PKCE verifier. A code intercepted on the way (by
 *   another local process or a browser extension) is useless without the verifier.
 * - device: the broker starts the IdP's device flow and hands the CLI the user code and URL
 *   plus a broker device code; the CLI polls /v1/login/device/token, and each poll is one
 *   token-endpoint call by the broker.
 * - console: the web console sends the browser to /ui/login?return=…; the broker runs the
 *   same IdP login, holding the PKCE verifier itself, and at the callback creates the session
 *   and hands it to the browser as the kb_console cookie (console-cookie.ts); no code ever
 *   leaves the broker, so there is nothing to intercept on the way back.
 *
 * With several identity providers each login names one (`idp`), and each transaction, code
 * and device login remembers it, so the callback redeems at the provider the login started
 * at. A browser login that names none gets the list to choose from (idp-chooser-page.ts).
 *
 * Sessions themselves are session-service.ts.
 */

import { createHash } from "node:crypto";
import type { Clock } from "../shared/clock.ts";
import { BadRequest, BrokerError, Unauthorized } from "../shared/errors.ts";
import { randomSecret } from "../shared/ids.ts";
import type { Logger } from "../shared/logger.ts";
import type { Principal } from "../shared/principal.ts";
import type { IdentityProvider, IdentityProviders, ProviderChoice } from "./identity-providers.ts";
import type { ConsoleTransaction, LoginStore, LoginTransaction } from "./login-store.ts";
import { type DeviceAuthorization, type DevicePoll, type IdpIdentity, IdpRefused } from "./oidc-client.ts";
import { isValidChallenge, verifierMatches } from "./pkce.ts";
import { checkLoginRedirect, consoleReturnPath } from "./redirects.ts";
import type { IssuedSession, SessionService } from "./session-service.ts";

const TRANSACTION_TTL_SECONDS = 600;
const CODE_TTL_SECONDS = 60;

export type DeviceTokenResult =
  | { done: true; session: IssuedSession }
  | { done: false; intervalSeconds: number };

/** Where a browser login goes next: to the IdP, or first to a choice between providers. */
export type LoginStart = { kind: "redirect"; url: URL } | { kind: "choose"; choices: ProviderChoice[] };

/** Where the callback sends the browser, and for a console login what to set on the way. */
export type CallbackOutcome =
  | { kind: "loopback"; redirect: URL }
  | { kind: "console"; session: IssuedSession; maxAgeSeconds: number; returnTo: string }
  | { kind: "console-failed"; error: string; returnTo: string };

export class LoginService {
  readonly #providers: IdentityProviders;
  readonly #store: LoginStore;
  readonly #sessions: SessionService;
  readonly #callbackUrl: string;
  readonly #logger: Logger;
  readonly #clock: Clock;

  constructor(options: {
    providers: IdentityProviders;
    store: LoginStore;
    sessions: SessionService;
    publicUrl: string;
    logger: Logger;
    clock: Clock;
  }) {
    this.#providers = options.providers;
    this.#store = options.store;
    this.#sessions = options.sessions;
    this.#callbackUrl = new URL("/v1/login/callback", options.publicUrl).href;
    this.#logger = options.logger;
    this.#clock = options.clock;
  }

  /**
   * Step 1 (browser): where to send the person, at the IdP; with several providers and none
   * named, the choice (after the rest of the request was checked, so a bad link is refused
   * before anyone picks a provider for it).
   */
  async start(query: {
    redirect_uri?: unknown;
    code_challenge?: unknown;
    code_challenge_method?: unknown;
    state?: unknown;
    idp?: unknown;
  }): Promise<LoginStart> {
    const provider = this.#providers.mustChoose(query.idp) ? undefined : this.#providers.chosen(query.idp);
    const cliRedirect = checkLoginRedirect(query.redirect_uri, this.#providers.allowedRedirects(provider));
    if (!isValidChallenge(query.code_challenge))
      throw new BadRequest("code_challenge must be an S256 PKCE challenge");
    if ((query.code_challenge_method ?? "S256") !== "S256")
      throw new BadRequest("code_challenge_method must be S256");
    if (typeof query.state !== "string" || query.state.length < 16 || query.state.length > 256) {
      throw new BadRequest("state must be 16 to 256 characters");
    }
    if (!provider) return { kind: "choose", choices: this.#providers.choices() };
    return this.#toIdp(provider, (verifier) => ({
      idp: provider.settings.name,
      cliRedirect: cliRedirect.href,
      cliState: query.state as string,
      cliChallenge: query.code_challenge as string,
      ...verifier,
    }));
  }

  /** Step 1 of a console sign-in (browser): to the IdP, remembering where to land after. */
  async startConsole(returnTo: unknown, idp: unknown): Promise<LoginStart> {
    if (this.#providers.mustChoose(idp)) return { kind: "choose", choices: this.#providers.choices() };
    const provider = this.#providers.chosen(idp);
    return this.#toIdp(provider, (verifier) => ({
      kind: "console",
      idp: provider.settings.name,
      returnTo: consoleReturnPath(returnTo),
      ...verifier,
    }));
  }

  async #toIdp(
    provider: IdentityProvider,
    transaction: (checks: { codeVerifier: string; nonce: string }) => LoginTransaction,
  ): Promise<LoginStart> {
    const state = randomSecret();
    const nonce = randomSecret();
    const codeVerifier = randomSecret();
    await this.#store.saveTransaction(state, transaction({ codeVerifier, nonce }), TRANSACTION_TTL_SECONDS);
    const codeChallenge = createHash("sha256").update(codeVerifier).digest("base64url");
    const url = await provider.client.authorizationUrl({
      redirectUri: this.#callbackUrl,
      state,
      nonce,
      codeChallenge,
    });
    return { kind: "redirect", url };
  }

  /** Step 2 (browser, back from the IdP): back to the CLI, or into the console with a session. */
  async callback(query: URLSearchParams): Promise<CallbackOutcome> {
    const state = query.get("state");
    const tx = state ? await this.#store.takeTransaction(state) : undefined;
    if (!state || !tx)
      throw new BadRequest("this login link has expired or was already used; run kubectl broker login again");
    if (tx.kind === "console") return this.#consoleCallback(query, state, tx);
    const back = new URL(tx.cliRedirect);
    back.searchParams.set("state", tx.cliState);
    try {
      const provider = this.#providerOf(tx);
      const identity = await this.#redeemAtIdp(query, state, tx, provider);
      const principal = this.#providers.principal(identity.claims, provider);
      const code = randomSecret();
      await this.#store.saveCode(
        code,
        { identity, principal, cliRedirect: tx.cliRedirect, cliChallenge: tx.cliChallenge },
        CODE_TTL_SECONDS,
      );
      back.searchParams.set("code", code);
    } catch (err) {
      // The CLI shows the person why; the browser only carries the error's name.
      back.searchParams.set("error", err instanceof IdpRefused ? err.error : "login_failed");
      if (err instanceof BrokerError && err.expose) back.searchParams.set("error_description", err.message);
      this.#logger.info({ err: String(err) }, "login callback failed");
    }
    return { kind: "loopback", redirect: back };
  }

  /** The console's session is made here, as a CLI redeem would make it, with no code between. */
  async #consoleCallback(
    query: URLSearchParams,
    state: string,
    tx: ConsoleTransaction,
  ): Promise<CallbackOutcome> {
    let identity: IdpIdentity;
    let principal: Principal;
    try {
      const provider = this.#providerOf(tx);
      identity = await this.#redeemAtIdp(query, state, tx, provider);
      principal = this.#providers.principal(identity.claims, provider);
    } catch (err) {
      // A refusal by the IdP, or claims we cannot use, is the person's to see; an outage of
      // our own store (creating the session below) is not caught, so it stays a 503.
      this.#logger.info({ err: String(err) }, "console login callback failed");
      const error = err instanceof IdpRefused ? err.error : "login_failed";
      return { kind: "console-failed", error, returnTo: tx.returnTo };
    }
    const session = await this.#sessions.create(identity, principal, "console");
    const maxAgeSeconds = (session.expiresAt - this.#clock.now()) / 1000;
    return { kind: "console", session, maxAgeSeconds, returnTo: tx.returnTo };
  }

  /** The provider a login started at; one removed from the config since cannot finish it. */
  #providerOf(tx: { idp?: string }): IdentityProvider {
    const provider = this.#providers.ofSession(tx.idp);
    if (!provider)
      throw new Unauthorized(`identity provider "${tx.idp ?? "(unnamed)"}" is no longer configured`);
    return provider;
  }

  #redeemAtIdp(
    query: URLSearchParams,
    state: string,
    tx: LoginTransaction,
    provider: IdentityProvider,
  ): Promise<IdpIdentity> {
    const callbackUrl = new URL(this.#callbackUrl);
    callbackUrl.search = query.toString();
    return provider.client.redeemCode(callbackUrl, { codeVerifier: tx.codeVerifier, state, nonce: tx.nonce });
  }

  /** Step 3 (CLI): the one-time code and the CLI's PKCE verifier for a session. */
  async redeem(body: {
    code?: unknown;
    code_verifier?: unknown;
    redirect_uri?: unknown;
  }): Promise<IssuedSession> {
    if (typeof body.code !== "string" || body.code === "") throw new BadRequest("code is required");
    const pending = await this.#store.takeCode(body.code);
    // The code is spent either way, so a wrong verifier cannot be retried against it.
    if (!pending)
      throw new Unauthorized(
        "the login code is invalid, expired or already used; run kubectl broker login again",
      );
    if (!verifierMatches(body.code_verifier, pending.cliChallenge)) {
      throw new Unauthorized("the PKCE verifier does not match this login; run kubectl broker login again");
    }
    if (body.redirect_uri !== undefined && body.redirect_uri !== pending.cliRedirect) {
      throw new Unauthorized("redirect_uri does not match this login");
    }
    return this.#sessions.create(pending.identity, pending.principal, "loopback");
  }

  /** The IdP's device authorization, with the IdP's device code swapped for the broker's. */
  async startDevice(body: { idp?: unknown }): Promise<DeviceAuthorization> {
    const provider = this.#providers.chosen(body.idp);
    const device = await provider.client.startDevice();
    const deviceCode = randomSecret();
    await this.#store.saveDevice(
      deviceCode,
      {
        idpDeviceCode: device.deviceCode,
        intervalSeconds: device.intervalSeconds,
        idp: provider.settings.name,
      },
      device.expiresInSeconds,
    );
    return { ...device, deviceCode };
  }

  async pollDevice(body: { device_code?: unknown }): Promise<DeviceTokenResult> {
    if (typeof body.device_code !== "string" || body.device_code === "")
      throw new BadRequest("device_code is required");
    const pending = await this.#store.getDevice(body.device_code);
    if (!pending)
      throw new Unauthorized(
        "this device login has expired or was already used; run kubectl broker login --device again",
      );
    const provider = this.#providerOf(pending);
    let poll: DevicePoll;
    try {
      poll = await provider.client.pollDevice(pending.idpDeviceCode);
    } catch (err) {
      if (!(err instanceof IdpRefused)) throw err;
      await this.#store.finishDevice(body.device_code);
      const why = err.error === "access_denied" ? "the sign-in was declined" : "the device login expired";
      throw new Unauthorized(`${why}; run kubectl broker login --device again`);
    }
    if (!poll.done)
      return { done: false, intervalSeconds: pending.intervalSeconds + (poll.slowDown ? 5 : 0) };
    if (!(await this.#store.finishDevice(body.device_code))) {
      throw new Unauthorized("this device login was already completed");
    }
    const principal = this.#providers.principal(poll.identity.claims, provider);
    return { done: true, session: await this.#sessions.create(poll.identity, principal, "device") };
  }
}
