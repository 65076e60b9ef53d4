import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as client from "openid-client";
import { type OidcProviderHarness, startOidcProvider } from "../../../tools/dev-idp/oidc-provider.ts";
import { HeadlessBrowser } from "../../support/browser.ts";

const REDIRECT = "http://127.0.0.1:9/callback";

describe("OIDC provider harness", () => {
  let idp: OidcProviderHarness;
  let config: client.Configuration;

  before(async () => {
    idp = await startOidcProvider({ redirectUris: [REDIRECT] });
    config = await client.discovery(new URL(idp.issuer), idp.web.clientId, idp.web.clientSecret, undefined, {
      execute: [client.allowInsecureRequests],
    });
  });
  after(() => idp.close());

  it("completes an authorization-code + PKCE login over HTTP with groups, and refreshes", async () => {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: "openid email profile groups offline_access",
      prompt: "consent",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      nonce,
    });
    const landed = await new HeadlessBrowser().visit(authUrl, {
      login: "approver",
      stopAt: (url) => url.href.startsWith(REDIRECT),
    });
    const tokens = await client.authorizationCodeGrant(config, landed.url, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const claims = tokens.claims();
    assert.equal(claims?.sub, "approver");
    assert.equal(claims?.email, "approver@example.com");
    assert.deepEqual(claims?.groups, ["sre", "approvers"]);
    assert.ok(tokens.refresh_token, "offline_access with consent gives a refresh token");

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.equal(refreshed.claims()?.sub, "approver");
  });

  it("refuses a code redeemed with the wrong PKCE verifier", async () => {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const authUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: "openid",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
    });
    const landed = await new HeadlessBrowser().visit(authUrl, {
      login: "dev",
      stopAt: (url) => url.href.startsWith(REDIRECT),
    });
    await assert.rejects(
      client.authorizationCodeGrant(config, landed.url, {
        pkceCodeVerifier: client.randomPKCECodeVerifier(),
        expectedState: state,
      }),
      (err: { error?: string }) => err.error === "invalid_grant",
    );
  });

  it("runs the device flow for a person signing in elsewhere", async () => {
    const device = await client.initiateDeviceAuthorization(config, { scope: "openid email groups" });
    assert.match(device.user_code, /\S/);
    const polling = client.pollDeviceAuthorizationGrant(config, device);
    const done = await new HeadlessBrowser().visit(device.verification_uri_complete!, { login: "dev" });
    assert.match(done.body, /Sign-in Success/);
    const tokens = await polling;
    assert.equal(tokens.claims()?.sub, "dev");
    assert.deepEqual(tokens.claims()?.groups, ["developers"]);
  });
});
