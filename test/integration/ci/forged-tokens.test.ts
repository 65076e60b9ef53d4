import assert from "node:assert/strict";
import { createHmac, createPublicKey } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { generateKeyPair, jwtVerify, SignJWT } from "jose";
import { type CiIssuerHarness, startCiIssuer } from "../../support/ci-issuer.ts";
import { expectStatus, GITHUB_AUDIENCE, useCiFixture } from "./fixture.ts";

/** Claims the web-main rule would accept, were the token genuine. */
function allowedClaims(issuer: string): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: issuer,
    aud: GITHUB_AUDIENCE,
    sub: "repo:acme/web:ref:refs/heads/main",
    repository: "acme/web",
    ref: "refs/heads/main",
    event_name: "push",
    iat: now,
    nbf: now,
    exp: now + 300,
    jti: `forged-${Math.random()}`,
  };
}

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A JWT built by hand: jose would refuse to sign these. */
function handMade(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  hmacKey?: Buffer | string,
) {
  const input = `${part(header)}.${part(claims)}`;
  const signature = hmacKey ? createHmac("sha256", hmacKey).update(input).digest("base64url") : "";
  return `${input}.${signature}`;
}

/** The forms of an RSA public key that HS256 key-confusion attacks use as the HMAC secret. */
function publicKeyForms(jwk: { n?: string; kid?: string }): [string, Buffer | string][] {
  const key = createPublicKey({ key: jwk as never, format: "jwk" });
  const pem = key.export({ type: "spki", format: "pem" }).toString();
  return [
    ["the SPKI PEM", pem],
    ["the SPKI PEM without its final newline", pem.trimEnd()],
    ["the PKCS#1 PEM", key.export({ type: "pkcs1", format: "pem" }).toString()],
    ["the SPKI DER", key.export({ type: "spki", format: "der" })],
    ["the JWK as JSON", JSON.stringify(jwk)],
    ["the modulus bytes", Buffer.from(jwk.n!, "base64url")],
    ["the modulus as base64url text", jwk.n!],
  ];
}

describe("forged and foreign CI tokens", () => {
  const f = useCiFixture({
    extraRules: [
      {
        name: "down",
        // Nothing listens on port 1 of loopback: connections are refused at once.
        issuer: "http://127.0.0.1:1",
        audience: GITHUB_AUDIENCE,
        claims: { repository: "acme/web" },
        cluster: "test",
        role: "view",
        namespaces: ["web"],
      },
    ],
  });
  let stranger: CiIssuerHarness;
  before(async () => {
    stranger = await startCiIssuer();
  });
  after(() => stranger.close());

  const refused = async (token: string, message: RegExp) => {
    const status = await expectStatus(await f().exchange({ token }), 401, token);
    assert.match(status.message, message);
    await f().assertNothingCreated();
  };

  for (const alg of ["none", "None", "NONE"]) {
    it(`refuses an alg "${alg}" token`, async () => {
      await refused(
        handMade({ alg, typ: "JWT" }, allowedClaims(f().github.issuer)),
        /algorithm is not accepted/,
      );
    });
  }

  it("refuses HS256 tokens signed with the issuer's public key, in every classic form", async () => {
    const jwk = f().github.publicJwk();
    for (const [form, secret] of publicKeyForms(jwk)) {
      for (const header of [{ alg: "HS256", typ: "JWT", kid: jwk.kid }, { alg: "HS256" }]) {
        const token = handMade(header, allowedClaims(f().github.issuer), secret);
        // The forgery is sound: a verifier that let the token pick HS256 would accept it.
        const secretBytes = typeof secret === "string" ? new TextEncoder().encode(secret) : secret;
        await jwtVerify(token, secretBytes, { algorithms: ["HS256"] });
        await refused(token, /algorithm is not accepted/).catch((err: Error) => {
          throw new Error(`${form}: ${err.message}`);
        });
      }
    }
  });

  for (const alg of ["HS384", "HS512"]) {
    it(`refuses ${alg} tokens`, async () => {
      const token = handMade({ alg }, allowedClaims(f().github.issuer), "secret");
      await refused(token, /algorithm is not accepted/);
    });
  }

  it("refuses a token from an issuer no rule names, without fetching its keys", async () => {
    const token = await stranger.github({ repository: "acme/web" }, { audience: GITHUB_AUDIENCE });
    await refused(token, /issuer \("http:\/\/127\.0\.0\.1:\d+"\) is not trusted/);
    assert.equal(stranger.jwksFetches, 0);
  });

  it("contacts an unknown issuer in no way at all", async () => {
    let requests = 0;
    const server: Server = createServer((_req, res) => {
      requests++;
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { privateKey } = await generateKeyPair("RS256");
      const token = await new SignJWT(allowedClaims(issuer))
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .sign(privateKey);
      await refused(token, /is not trusted/);
      assert.equal(requests, 0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("refuses a token signed by a key the issuer does not publish", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const unknownKid = await new SignJWT(allowedClaims(f().github.issuer))
      .setProtectedHeader({ alg: "RS256", kid: "not-published" })
      .sign(privateKey);
    await refused(unknownKid, /signed by a key that http:\/\/127\.0\.0\.1:\d+ does not publish/);
    const borrowedKid = await new SignJWT(allowedClaims(f().github.issuer))
      .setProtectedHeader({ alg: "RS256", kid: f().github.publicJwk().kid! })
      .sign(privateKey);
    await refused(borrowedKid, /signature does not verify/);
  });

  it("refuses a genuine token whose payload was edited", async () => {
    const genuine = await f().github.github({ repository: "acme/api" }, { audience: GITHUB_AUDIENCE });
    const [header, , signature] = genuine.split(".");
    const edited = `${header}.${part(allowedClaims(f().github.issuer))}.${signature}`;
    await refused(edited, /signature does not verify/);
  });

  for (const [what, token] of [
    ["text that is not a JWT", "not-a-jwt"],
    ["three parts of garbage", "a.b.c"],
    ["an encrypted token's five parts", "a.b.c.d.e"],
  ]) {
    it(`refuses ${what}`, async () => {
      await refused(token!, /not a well-formed signed JWT/);
    });
  }

  it("answers 503 when a trusted issuer cannot be reached, and leaves the token usable", async () => {
    const down = f().config.ci.rules.find((r) => r.name === "down")!.issuer;
    const token = handMade({ alg: "RS256", kid: "k" }, { ...allowedClaims(down) }, undefined);
    const status = await expectStatus(await f().exchange({ token }), 503, token);
    assert.match(
      status.message,
      /could not discover the signing keys of CI issuer http:\/\/127\.0\.0\.1:\d+/,
    );
    await f().assertNothingCreated();
  });
});
