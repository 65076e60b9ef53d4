import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type { Principal } from "../../../src/shared/principal.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { FakeClusterApi } from "../../support/fakes/fake-cluster-api.ts";
import { JumpClock } from "../../support/fakes/jump-clock.ts";
import { testConfig } from "../../support/fakes/test-config.ts";
import { grantsFeature } from "../../support/grants.ts";

/** The credentials API's choice of grant, at the edges of a grant's life (issue: a grant's last minute). */
describe("credentials from a grant near its end", () => {
  const dev: Principal = {
    kind: "user",
    subject: "sub-dev",
    name: "dev@example.com",
    groups: ["developers"],
  };
  const config = testConfig({
    policies: {
      standing: [{ subjects: { groups: ["developers"] }, roles: ["view"], namespaces: ["team-*"] }],
      requests: [
        {
          subjects: { groups: ["developers"] },
          roles: ["edit"],
          namespaces: ["payments"],
          approvers: { groups: ["sre"] },
        },
      ],
    },
  });
  const editPayments = { cluster: "test", role: "edit", namespaces: ["payments"] };
  let redis: RedisHarness;
  let clock: JumpClock;
  let feature: ReturnType<typeof grantsFeature>;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.close());
  beforeEach(async () => {
    await redis.clear();
    clock = new JumpClock();
    feature = grantsFeature(config, redis, { api: new FakeClusterApi({ clock }), clock });
  });

  const approvedFor = (ttlSeconds: number) =>
    feature.grants.create({
      principal: dev,
      ...editPayments,
      ttlSeconds,
      origin: "request",
      reason: "INC-1",
    });

  it("a one-minute grant from a request works at once, its token reported to end with the grant", async () => {
    const grant = await approvedFor(60);
    const credential = await feature.access.credential(dev, editPayments);
    assert.equal(credential.grant.id, grant.id);
    assert.equal(credential.expiresAt, grant.expiresAt, "the token is cut short by the grant's deadline");
  });

  it("its last seconds still give a token from it, not 'no policy'", async () => {
    const grant = await approvedFor(120);
    clock.jumpTo(grant.expiresAt, 5_000);
    const credential = await feature.access.credential(dev, editPayments);
    assert.equal(credential.grant.id, grant.id);
    assert.equal(credential.expiresAt, grant.expiresAt);
  });

  it("once it has ended, the refusal says the grant ended and how to ask again", async () => {
    const grant = await approvedFor(60);
    clock.jumpTo(grant.expiresAt, -1);
    assert.equal(await feature.expiry.runOnce(), 1);
    await assert.rejects(feature.access.credential(dev, editPayments), (err: Error & { code: number }) => {
      assert.equal(err.code, 403);
      assert.match(
        err.message,
        new RegExp(`your grant ${grant.id} for this access ended at .* \\(reached its deadline\\)`),
      );
      assert.match(err.message, /ask for it with kubectl broker request/);
      return true;
    });
  });

  it("a standing grant in its last minute is replaced by a fresh one, as policy allows", async () => {
    const view = { cluster: "test", role: "view", namespaces: ["team-a"] };
    const first = await feature.access.credential(dev, view);
    clock.jumpTo(first.grant.expiresAt, 30_000);
    const second = await feature.access.credential(dev, view);
    assert.notEqual(second.grant.id, first.grant.id);
    assert.equal(second.grant.origin, "standing");
    assert.ok(second.grant.expiresAt - clock.now() > 3600_000, "a full standing TTL again");
  });

  it("a standing grant near its end is still used when policy no longer allows a new one", async () => {
    const view = { cluster: "test", role: "view", namespaces: ["team-a"] };
    const first = await feature.access.credential(dev, view);
    const narrowed = grantsFeature(testConfig({ policies: {} }), redis, {
      api: feature.api,
      clock,
    });
    clock.jumpTo(first.grant.expiresAt, 30_000);
    const again = await narrowed.access.credential(dev, view);
    assert.equal(again.grant.id, first.grant.id, "an active grant is never answered with 'no policy'");
  });
});
