import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Config } from "../../../src/config/schema.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import type { StandIn } from "../../../tools/stand-in/index.ts";
import { JumpClock } from "../../support/fakes/jump-clock.ts";
import { GRANTS_NAMESPACE, grantsFeature, grantsStandIn, viewGrant } from "../../support/grants.ts";

const ask = viewGrant({ ttlSeconds: 600 });
/**
 * The grants feature against the real API stand-in with many grants: the broker's Kubernetes
 * clients keep their connections (each call used to open one, with its TLS handshake), the
 * reconciler pages through what it lists, and grants due together end together.
 */
describe("grants at scale, against the API stand-in", () => {
  let redis: RedisHarness;
  let standIn: StandIn;
  let config: Config;
  let closeStandIn: () => Promise<void>;

  before(async () => {
    redis = await startRedis();
    ({ standIn, config, close: closeStandIn } = await grantsStandIn());
  });
  after(async () => {
    await closeStandIn();
    await redis.close();
  });

  const feature = (clock = new JumpClock()) => grantsFeature(config, redis, { clock });
  const accounts = () =>
    standIn.store.list("serviceaccounts", GRANTS_NAMESPACE).filter((sa) => sa.metadata.name !== "default");

  it("provisions, mints and ends grants over a few kept connections, not one per call", async () => {
    const { grants, issuer } = feature();
    const from = standIn.requests.length;
    for (let i = 0; i < 20; i++) {
      const grant = await grants.create(ask);
      await issuer.issue(grant);
      await grants.end(grant, "revoked", "test");
    }
    const calls = standIn.requests.slice(from);
    assert.ok(calls.length >= 20 * 5, `${calls.length} calls`);
    const connections = new Set(calls.map((r) => r.connection));
    assert.ok(connections.size <= 4, `${calls.length} calls came on ${connections.size} connections`);
  });

  it("reconciles 1,200 grants' objects read in pages, and ends together the grants due together", async () => {
    const clock = new JumpClock();
    const { grants, reconciler, expiry, store } = feature(clock);
    const made = [];
    for (let i = 0; i < 1200; i += 20) {
      made.push(...(await Promise.all(Array.from({ length: 20 }, () => grants.create(ask)))));
    }
    const from = standIn.requests.length;
    const report = await reconciler.runOnce();
    assert.deepEqual(report, { deletedObjects: 0, endedGrants: 0 }, "every grant has its objects");
    const lists = standIn.requests.slice(from).filter((r) => r.method === "GET");
    assert.ok(
      lists.every((r) => /(^|&)limit=500(&|$)/.test(r.query)),
      "every list asks for a page of 500",
    );
    assert.ok(
      lists.filter((r) => r.path.endsWith("/serviceaccounts")).length >= 3,
      "1,200 accounts in 3 pages",
    );

    // All 1,200 fall due at once; the worker ends them all, several at a time.
    clock.jump(601_000);
    const started = performance.now();
    expiry.start();
    try {
      for (;;) {
        if ((await store.countOpen()) === 0 && accounts().length === 0) break;
        assert.ok(performance.now() - started < 60_000, `${await store.countOpen()} grants still open`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await expiry.stop();
    }
    // Each ended as expired, once.
    const ended = await Promise.all(made.map((grant) => store.get(grant.id)));
    assert.deepEqual(
      new Set(ended.map((grant) => `${grant?.state} ${grant?.endReason}`)),
      new Set(["ended expired"]),
    );
  });
});
