/**
 * What the identity feature needs from the people's IdP. The feature owns this interface;
 * openid-oidc-client.ts implements it with openid-client 6, tests may fake it.
 */
export interface IdpIdentity {
  claims: Record<string, unknown>;
  /** Present when the IdP granted offline access; lets the broker re-check the person later. */
  refreshToken?: string;
  /** When the ID token expires (ms): the limit of a session without a refresh token. */
  idTokenExpiresAt: number;
}

export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  intervalSeconds: number;
  expiresInSeconds: number;
}

export type DevicePoll = { done: true; identity: IdpIdentity } | { done: false; slowDown: boolean };

export interface OidcClient {
  authorizationUrl(params: {
    redirectUri: string;
    state: string;
    nonce: string;
    codeChallenge: string;
  }): Promise<URL>;
  /** Redeems the code the IdP sent back to `callbackUrl`, checking state, nonce and PKCE. */
  redeemCode(
    callbackUrl: URL,
    checks: { codeVerifier: string; state: string; nonce: string },
  ): Promise<IdpIdentity>;
  startDevice(): Promise<DeviceAuthorization>;
  /** One poll of the token endpoint; never waits. */
  pollDevice(deviceCode: string): Promise<DevicePoll>;
  refresh(refreshToken: string): Promise<IdpIdentity>;
}

/** The IdP said no (invalid_grant, access_denied, expired_token…), as opposed to being unreachable. */
export class IdpRefused extends Error {
  readonly error: string;
  constructor(error: string, description?: string) {
    super(description ? `${error}: ${description}` : error);
    this.error = error;
  }
}
