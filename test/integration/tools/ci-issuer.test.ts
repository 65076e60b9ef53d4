import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { type CiIssuerHarness, startCiIssuer } from "../../support/ci-issuer.ts";

describe("CI issuer harness", () => {
  let ci: CiIssuerHarness;
  before(async () => {
    ci = await startCiIssuer();
  });
  after(() => ci.close());

  it("serves discovery and a JWKS that verifies GitHub-shaped tokens", async () => {
    const discovery = (await (await fetch(`${ci.issuer}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
      jwks_uri: string;
    };
    assert.equal(discovery.issuer, ci.issuer);
    const token = await ci.github(
      { repository: "acme/payments", environment: "production" },
      { audience: "kb" },
    );
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: ci.issuer,
      audience: "kb",
    });
    assert.equal(payload.sub, "repo:acme/payments:environment:production");
    assert.equal(payload.repository_owner, "acme");
    assert.ok(payload.jti);
  });

  it("mints GitLab-shaped tokens and rotates keys", async () => {
    const before = await ci.gitlab({ project_path: "acme/infra/deploy" }, { audience: "kb" });
    await ci.rotateKey();
    const afterRotation = await ci.gitlab(
      { project_path: "acme/infra/deploy", ref: "prod" },
      { audience: "kb" },
    );
    assert.notEqual(decodeProtectedHeader(before).kid, decodeProtectedHeader(afterRotation).kid);
    const jwks = createRemoteJWKSet(new URL(`${ci.issuer}/.well-known/jwks`));
    const { payload } = await jwtVerify(afterRotation, jwks, { audience: "kb" });
    assert.equal(payload.namespace_path, "acme/infra");
    assert.equal(payload.ref, "prod");
    await jwtVerify(before, jwks, { audience: "kb" });
  });

  it("answers GitHub's token request endpoint for a job's request token", async () => {
    const env = ci.githubRequestEnv({ repository: "acme/web", ref: "refs/heads/main" });
    const res = await fetch(`${env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=kube-broker`, {
      headers: { authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` },
    });
    const { value } = (await res.json()) as { value: string };
    const { payload } = await jwtVerify(value, createRemoteJWKSet(new URL(`${ci.issuer}/.well-known/jwks`)));
    assert.equal(payload.aud, "kube-broker");
    assert.equal(payload.sub, "repo:acme/web:ref:refs/heads/main");
    const refused = await fetch(`${env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=x`, {
      headers: { authorization: "Bearer wrong" },
    });
    assert.equal(refused.status, 401);
  });
});
