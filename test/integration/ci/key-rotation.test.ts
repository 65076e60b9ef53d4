import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { generateKeyPair, SignJWT } from "jose";
import { expectGranted, expectStatus, GITHUB_AUDIENCE, useCiFixture } from "./fixture.ts";

const COOLDOWN_MS = 300;

describe("CI issuer keys", () => {
  const f = useCiFixture({ jwksRefetchCooldownMs: COOLDOWN_MS });

  const mint = () => f().github.github({ repository: "acme/web" }, { audience: GITHUB_AUDIENCE });

  it("fetches the JWKS once for many exchanges", async () => {
    for (let i = 0; i < 5; i++) await expectGranted(await f().exchange({ token: await mint() }));
    assert.equal(f().github.jwksFetches, 1);
  });

  it("refetches the JWKS when a token names a new kid after a rotation", async () => {
    await sleep(COOLDOWN_MS + 50);
    await f().github.rotateKey();
    await expectGranted(await f().exchange({ token: await mint() }));
    assert.equal(f().github.jwksFetches, 2);
    for (let i = 0; i < 3; i++) await expectGranted(await f().exchange({ token: await mint() }));
    assert.equal(f().github.jwksFetches, 2, "the new key set is cached again");
  });

  it("does not let made-up kids make it fetch the JWKS again within the cooldown", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const now = Math.floor(Date.now() / 1000);
    const before = f().github.jwksFetches;
    for (let i = 0; i < 5; i++) {
      const token = await new SignJWT({ sub: "x", jti: `j${i}`, aud: GITHUB_AUDIENCE })
        .setProtectedHeader({ alg: "RS256", kid: `made-up-${i}` })
        .setIssuer(f().github.issuer)
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .sign(privateKey);
      await expectStatus(await f().exchange({ token }), 401, token);
    }
    assert.ok(f().github.jwksFetches - before <= 1, `fetched ${f().github.jwksFetches - before} times`);
  });
});
