import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTVerifyGetKey, SignJWT } from "jose";
import { CiTokenVerifier } from "../../../../src/identity/ci/ci-token-verifier.ts";
import type { IssuerKeys } from "../../../../src/identity/ci/issuer-keys.ts";
import type { ReplayGuard } from "../../../../src/identity/ci/replay-guard.ts";
import type { BrokerError } from "../../../../src/shared/errors.ts";
import { ManualClock } from "../../../support/fakes/manual-clock.ts";
import { testConfig } from "../../../support/fakes/test-config.ts";

const ISSUER = "https://token.actions.githubusercontent.com";
const { privateKey, publicKey } = await generateKeyPair("ES256");
const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256" }] });

/** Keys from memory, counting who asked. */
class LocalKeys implements IssuerKeys {
  asked: string[] = [];
  async keysFor(issuer: string): Promise<JWTVerifyGetKey> {
    this.asked.push(issuer);
    return jwks;
  }
}

/** Remembers uses in a map, with the expiry the verifier asked for. */
class MemoryReplay implements ReplayGuard {
  readonly until = new Map<string, number>();
  async firstUse(issuer: string, jti: string, untilMs: number): Promise<boolean> {
    const key = `${issuer} ${jti}`;
    if (this.until.has(key)) return false;
    this.until.set(key, untilMs);
    return true;
  }
  async forget(issuer: string, jti: string): Promise<void> {
    this.until.delete(`${issuer} ${jti}`);
  }
}

const config = testConfig({
  ci: {
    maxTokenAge: "10m",
    clockSkew: "30s",
    rules: [
      {
        name: "r",
        issuer: ISSUER,
        audience: "kube-broker",
        claims: { repository: "acme/web" },
        cluster: "test",
        role: "view",
        namespaces: ["web"],
      },
    ],
  },
});

describe("CiTokenVerifier", () => {
  let clock: ManualClock;
  let keys: LocalKeys;
  let replay: MemoryReplay;
  let verifier: CiTokenVerifier;
  beforeEach(() => {
    clock = new ManualClock();
    keys = new LocalKeys();
    replay = new MemoryReplay();
    verifier = new CiTokenVerifier({ config, keys, replay, clock });
  });

  const now = () => Math.floor(clock.now() / 1000);
  const sign = (claims: Record<string, unknown> = {}, lifetime = 3600) =>
    new SignJWT({ sub: "repo:acme/web:ref:refs/heads/main", jti: "j1", aud: "kube-broker", ...claims })
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setIssuer(ISSUER)
      .setIssuedAt(now())
      .setExpirationTime(now() + lifetime)
      .sign(privateKey);
  const refusal = async (token: string, message: RegExp) =>
    assert.rejects(verifier.verify(token), (err: BrokerError) => {
      assert.equal(err.code, 401);
      assert.match(err.message, message);
      return true;
    });

  it("returns the issuer, sub, claims and exp of a good token", async () => {
    const verified = await verifier.verify(await sign({ repository: "acme/web" }, 300));
    assert.equal(verified.issuer, ISSUER);
    assert.equal(verified.subject, "repo:acme/web:ref:refs/heads/main");
    assert.equal(verified.claims.repository, "acme/web");
    assert.equal(verified.expiresAt, (now() + 300) * 1000);
  });

  it("remembers the jti until exp or the end of the iat age, whichever is first, plus skew", async () => {
    await verifier.verify(await sign({ jti: "short" }, 300));
    await verifier.verify(await sign({ jti: "long" }, 3600));
    assert.equal(replay.until.get(`${ISSUER} short`), (now() + 300 + 30) * 1000);
    assert.equal(replay.until.get(`${ISSUER} long`), (now() + 600 + 30) * 1000);
  });

  it("uses the injected clock for every time check", async () => {
    const token = await sign({}, 300);
    clock.advance(331_000);
    await refusal(token, /has expired/);
  });

  it("asks for no keys before the algorithm and issuer are accepted", async () => {
    const header = Buffer.from('{"alg":"HS256"}').toString("base64url");
    const body = Buffer.from(JSON.stringify({ iss: ISSUER })).toString("base64url");
    await refusal(`${header}.${body}.x`, /algorithm is not accepted/);
    const { privateKey: other } = await generateKeyPair("RS256");
    const foreign = await new SignJWT({ sub: "s", jti: "j" })
      .setProtectedHeader({ alg: "RS256" })
      .setIssuer(`${ISSUER}/`)
      .setAudience("kube-broker")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(other);
    await refusal(foreign, /issuer \("https:\/\/token\.actions\.githubusercontent\.com\/"\) is not trusted/);
    assert.deepEqual(keys.asked, []);
  });

  it("spends no jti on a refused token, and spends it once on a good one", async () => {
    await refusal(await sign({ aud: "elsewhere" }), /audience/);
    assert.equal(replay.until.size, 0);
    const token = await sign();
    await verifier.verify(token);
    await refusal(token, /already exchanged/);
    await verifier.release(await verifier.verify(await sign({ jti: "j2" })));
    await verifier.verify(await sign({ jti: "j2" }));
  });

  it("requires sub, jti, iat and exp", async () => {
    await refusal(await sign({ sub: undefined }), /no "sub" claim/);
    await refusal(await sign({ jti: undefined }), /no "jti" claim/);
    await refusal(await sign({ jti: 7 }), /"jti" claim is not valid/);
    const noExp = await new SignJWT({ sub: "s", jti: "j" })
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setIssuer(ISSUER)
      .setAudience("kube-broker")
      .setIssuedAt(now())
      .sign(privateKey);
    await refusal(noExp, /no "exp" claim/);
  });
});
