import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MintOptions } from "../../support/ci-issuer.ts";
import { type CiFixture, expectGranted, expectStatus, useCiFixture } from "./fixture.ts";

/** One CI provider's tokens, as the shared checks need them. */
export interface TokenShape {
  name: string;
  /** The audience its rules accept, and one that only the other provider's rules accept. */
  audience: string;
  otherAudience: string;
  /** A token the rules allow, with these mint options. */
  allowed(fixture: CiFixture, options: Partial<MintOptions>): Promise<string>;
}

interface Refusal {
  what: string;
  options: Partial<MintOptions>;
  message: RegExp;
}

const MINUTE = 60;

/**
 * The checks every token goes through before any rule is read, for one provider: each
 * refusal is a 401 Status, echoes no token, and leaves nothing behind, not even the jti.
 */
export function describeTokenChecks(shape: TokenShape): void {
  describe(`${shape.name} token checks`, () => {
    const f = useCiFixture();

    const refusals: Refusal[] = [
      {
        what: "a wrong audience",
        options: { audience: "someone-else" },
        message: /audience is not one accepted/,
      },
      {
        what: "the audience of another issuer's rules",
        options: { audience: shape.otherAudience },
        message: new RegExp(`ask for "${shape.audience.replace(/[./]/g, "\\$&")}"`),
      },
      { what: "an expired token", options: { expiresIn: -2 * MINUTE }, message: /has expired/ },
      {
        what: "a token whose nbf is in the future",
        options: { notBefore: 5 * MINUTE, expiresIn: 10 * MINUTE },
        message: /not valid yet/,
      },
      {
        what: "a token issued longer ago than maxTokenAge",
        options: { issuedAt: -11 * MINUTE },
        message: /issued more than 10m ago/,
      },
      { what: "a token issued in the future", options: { issuedAt: 5 * MINUTE }, message: /in the future/ },
      { what: "an empty jti", options: { jti: "" }, message: /"jti" claim is not valid/ },
    ];
    for (const { what, options, message } of refusals) {
      it(`refuses ${what} with 401 and creates nothing`, async () => {
        const token = await shape.allowed(f(), options);
        const status = await expectStatus(await f().exchange({ token }), 401, token);
        assert.equal(status.reason, "Unauthorized");
        assert.match(status.message, message);
        await f().assertNothingCreated();
      });
    }

    it("accepts a token that expired less than clockSkew ago", async () => {
      const token = await shape.allowed(f(), { expiresIn: -10 });
      await expectGranted(await f().exchange({ token }));
    });

    it("exchanges a token once only", async () => {
      const token = await shape.allowed(f(), {});
      const first = await expectGranted(await f().exchange({ token }));
      const objects = f().clusterApi.objects.size;
      const again = await expectStatus(await f().exchange({ token }), 401, token);
      assert.match(again.message, /already exchanged/);
      assert.equal(f().clusterApi.objects.size, objects, "the replay made no object");
      assert.deepEqual(
        (await f().grants.listAll()).map((g) => g.id),
        [first.grant.id],
      );
    });

    it("remembers the jti only until the token could not pass the time checks anyway", async () => {
      const token = await shape.allowed(f(), { expiresIn: 120 });
      await expectGranted(await f().exchange({ token }));
      const [key] = await f().client.keys(`${f().redis.keyPrefix}{ci}:jti:*`);
      assert.ok(key, "the jti is stored under the {ci} hash tag");
      assert.equal(await f().client.get(key), "1", "a marker only, never the token");
      const ttl = await f().client.pttl(key);
      assert.ok(ttl > 120_000 && ttl <= 150_000, `expires at exp + skew, got ${ttl} ms`);
    });
  });
}
