import * as oidc from "openid-client";
import type { OidcProviderConfig } from "../config/schema.ts";
import { Unavailable } from "../shared/errors.ts";
import {
  type DeviceAuthorization,
  type DevicePoll,
  type IdpIdentity,
  IdpRefused,
  type OidcClient,
} from "./oidc-client.ts";

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/**
 * The broker's confidential client at the IdP, on openid-client 6. Discovery happens on first
 * use and is retried after a failure, so the broker starts (and says not-ready) while the IdP
 * is down instead of crashing.
 */
export class OpenidOidcClient implements OidcClient {
  readonly #settings: OidcProviderConfig;
  readonly #clientSecret: string | undefined;
  #config: Promise<oidc.Configuration> | undefined;

  constructor(options: { settings: OidcProviderConfig; clientSecret: string | undefined }) {
    this.#settings = options.settings;
    this.#clientSecret = options.clientSecret;
  }

  async authorizationUrl(params: {
    redirectUri: string;
    state: string;
    nonce: string;
    codeChallenge: string;
  }) {
    const scope = this.#settings.scopes.join(" ");
    return oidc.buildAuthorizationUrl(await this.#configuration(), {
      redirect_uri: params.redirectUri,
      scope,
      state: params.state,
      nonce: params.nonce,
      code_challenge: params.codeChallenge,
      code_challenge_method: "S256",
      // Standard OIDC only honours offline_access (a refresh token) with consent.
      ...(this.#settings.scopes.includes("offline_access") ? { prompt: "consent" } : {}),
    });
  }

  async redeemCode(callbackUrl: URL, checks: { codeVerifier: string; state: string; nonce: string }) {
    const config = await this.#configuration();
    return this.#call(async () =>
      identityFrom(
        await oidc.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        }),
      ),
    );
  }

  async startDevice(): Promise<DeviceAuthorization> {
    const config = await this.#configuration();
    const response = await this.#call(() =>
      oidc.initiateDeviceAuthorization(config, { scope: this.#settings.scopes.join(" ") }),
    );
    return {
      deviceCode: response.device_code,
      userCode: response.user_code,
      verificationUri: response.verification_uri,
      ...(response.verification_uri_complete
        ? { verificationUriComplete: response.verification_uri_complete }
        : {}),
      intervalSeconds: response.interval ?? 5,
      expiresInSeconds: response.expires_in,
    };
  }

  async pollDevice(deviceCode: string): Promise<DevicePoll> {
    const config = await this.#configuration();
    try {
      return {
        done: true,
        identity: identityFrom(
          await oidc.genericGrantRequest(config, DEVICE_GRANT, { device_code: deviceCode }),
        ),
      };
    } catch (err) {
      if (err instanceof oidc.ResponseBodyError) {
        if (err.error === "authorization_pending") return { done: false, slowDown: false };
        if (err.error === "slow_down") return { done: false, slowDown: true };
      }
      throw toIdpError(err);
    }
  }

  async refresh(refreshToken: string): Promise<IdpIdentity> {
    const config = await this.#configuration();
    return this.#call(async () => identityFrom(await oidc.refreshTokenGrant(config, refreshToken)));
  }

  #configuration(): Promise<oidc.Configuration> {
    if (!this.#config) {
      const issuer = new URL(this.#settings.issuer);
      const insecure = issuer.protocol === "http:";
      this.#config = oidc
        .discovery(
          issuer,
          this.#settings.clientId,
          this.#clientSecret,
          this.#clientSecret ? oidc.ClientSecretPost(this.#clientSecret) : oidc.None(),
          insecure ? { execute: [oidc.allowInsecureRequests] } : undefined,
        )
        .catch((err: unknown) => {
          this.#config = undefined;
          throw new Unavailable(
            `identity provider "${this.#settings.name}" (${issuer.origin}) could not be reached`,
            {
              cause: err,
            },
          );
        });
    }
    return this.#config;
  }

  async #call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw toIdpError(err);
    }
  }
}

function identityFrom(tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): IdpIdentity {
  const claims = tokens.claims();
  if (!claims) throw new IdpRefused("invalid_response", "the identity provider returned no ID token");
  return {
    claims: { ...claims },
    ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
    idTokenExpiresAt: claims.exp * 1000,
  };
}

function toIdpError(err: unknown): Error {
  if (err instanceof oidc.ResponseBodyError) return new IdpRefused(err.error, err.error_description);
  if (err instanceof oidc.AuthorizationResponseError) return new IdpRefused(err.error, err.error_description);
  if (err instanceof Unavailable) return err;
  if (err instanceof TypeError || (err as { code?: string }).code === "OAUTH_RESPONSE_IS_NOT_CONFORM") {
    return new Unavailable("the identity provider could not be reached", { cause: err });
  }
  return new IdpRefused("invalid_response", err instanceof Error ? err.message : String(err));
}
