import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, afterEach, before, describe, it } from "node:test";
import pino from "pino";
import { Registry } from "prom-client";
import { createOnCall, type OnCall } from "../../../src/oncall/index.ts";
import { createRedis, type RedisClient } from "../../../src/shared/redis.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { ManualClock } from "../../support/fakes/manual-clock.ts";
import { testConfig } from "../../support/fakes/test-config.ts";
import { type IcsServer, ROTATION_ICS, startIcsServer } from "../../support/oncall-feed.ts";

/** Dave's override over Bob's week (see oncall-feed.ts). */
const OVERLAY = Date.parse("2026-10-13T11:00:00Z");

/**
 * An on-call schedule read from a real HTTP feed and kept in a real Redis: it answers from
 * memory, keeps its last good copy when the feed goes down, and a broker started while the
 * feed is down answers from the copy in Redis.
 */
describe("on-call schedule source", () => {
  let redis: RedisHarness;
  let feed: IcsServer;
  const started: { onCall: OnCall; client: RedisClient }[] = [];
  let run = 0;

  before(async () => {
    redis = await startRedis();
    feed = await startIcsServer();
  });
  after(async () => {
    await feed?.close();
    await redis?.close();
  });
  afterEach(async () => {
    for (const { onCall, client } of started.splice(0)) {
      await onCall.stop();
      client.disconnect();
    }
    feed.up();
    feed.body = ROTATION_ICS;
  });

  /** One broker's on-call feature; `prefix` shared between two of them is one Redis keyspace. */
  async function broker(prefix: string, schedule: Record<string, unknown> = {}) {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: "info" },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    const config = testConfig({
      redis: { url: redis.url, keyPrefix: `${redis.keyPrefix}${prefix}:` },
      onCall: { schedules: [{ name: "sre", url: feed.url, ...schedule }] },
    });
    const client = createRedis(config.redis);
    const metrics = new Registry();
    const clock = new ManualClock(Date.parse("2026-10-13T10:30:00Z"));
    const onCall = createOnCall({ config, redis: client, clock, logger, metrics, env: {} });
    started.push({ onCall, client });
    await onCall.start();
    return { onCall, lines, metrics, clock };
  }
  const metric = async (registry: Registry, name: string) =>
    (await registry.getSingleMetric(name)!.get()).values.map((v) => [v.labels, v.value]);

  it("reads the feed at start and answers who is on call, overrides first", async () => {
    const { onCall, metrics } = await broker(`a${++run}`);
    const answer = onCall.onCallAt("sre", OVERLAY);
    assert.deepEqual(answer?.people, ["dave@example.com", "bob@example.com"]);
    assert.equal(answer?.stale, false);
    assert.equal(onCall.onCallAt("other", OVERLAY), undefined, "an unknown schedule answers nothing");
    assert.deepEqual(await metric(metrics, "kube_broker_oncall_schedule_stale"), [[{ schedule: "sre" }, 0]]);
  });

  it("a feed that goes down keeps the last good copy, says it is stale, and never logs the URL", async () => {
    const { onCall, lines, metrics, clock } = await broker(`b${++run}`);
    feed.down();
    clock.advance(600_000);
    await onCall.refreshAll();
    const answer = onCall.onCallAt("sre", OVERLAY);
    assert.deepEqual(answer?.people, ["dave@example.com", "bob@example.com"]);
    assert.equal(answer?.stale, true);
    assert.deepEqual(await metric(metrics, "kube_broker_oncall_schedule_stale"), [[{ schedule: "sre" }, 1]]);
    assert.deepEqual(await metric(metrics, "kube_broker_oncall_schedule_age_seconds"), [
      [{ schedule: "sre" }, 600],
    ]);
    const warning = lines.find((l) => String(l.msg).includes("last good copy"));
    assert.ok(warning, "the outage is logged");
    assert.equal(warning.err, "the feed answered HTTP 503");
    assert.ok(
      !JSON.stringify(lines).includes("/private/feed"),
      "the feed's URL (its secret) is never logged",
    );

    feed.up();
    await onCall.refreshAll();
    assert.equal(onCall.onCallAt("sre", OVERLAY)?.stale, false, "fresh again once the feed is back");
  });

  it("a broker started while the feed is down answers from the copy in Redis", async () => {
    const prefix = `c${++run}`;
    await broker(prefix);
    feed.down();
    const restarted = await broker(prefix);
    assert.deepEqual(restarted.onCall.onCallAt("sre", OVERLAY)?.people, [
      "dave@example.com",
      "bob@example.com",
    ]);
    await restarted.onCall.refreshAll();
    const answer = restarted.onCall.onCallAt("sre", OVERLAY);
    assert.deepEqual(answer?.people, ["dave@example.com", "bob@example.com"]);
    assert.equal(answer?.stale, true, "the feed is still down");
  });

  it("a schedule never read answers nothing and says why, in one line", async () => {
    feed.down();
    const { onCall, lines, metrics } = await broker(`d${++run}`);
    assert.equal(onCall.onCallAt("sre", OVERLAY), undefined);
    const error = lines.find((l) => l.level === 50);
    assert.match(String(error?.msg), /no copy was ever read: request rules naming it do not apply/);
    assert.deepEqual(await metric(metrics, "kube_broker_oncall_schedule_age_seconds"), [
      [{ schedule: "sre" }, Number.NaN],
    ]);
  });

  it("a feed URL from an env variable: read, and a bad one refused at start without repeating it", async () => {
    const config = testConfig({
      redis: { url: redis.url, keyPrefix: `${redis.keyPrefix}f${++run}:` },
      onCall: { schedules: [{ name: "sre", urlEnv: "SRE_FEED_URL" }] },
    });
    const client = createRedis(config.redis);
    const deps = { config, redis: client, clock: new ManualClock(OVERLAY), metrics: new Registry() };
    const logger = pino({ level: "silent" });
    const onCall = createOnCall({ ...deps, logger, env: { SRE_FEED_URL: feed.url } });
    started.push({ onCall, client });
    await onCall.start();
    assert.deepEqual(onCall.onCallAt("sre", OVERLAY)?.people, ["dave@example.com", "bob@example.com"]);
    assert.throws(
      () =>
        createOnCall({
          ...deps,
          metrics: new Registry(),
          logger,
          env: { SRE_FEED_URL: "secret-token-only" },
        }),
      (err: Error) =>
        err.message ===
        'onCall.schedules "sre": environment variable SRE_FEED_URL does not hold an http(s) URL',
    );
  });

  it("a changed feed replaces the schedule; one that is not a calendar, or too large, does not", async () => {
    const { onCall } = await broker(`e${++run}`, { maxBytes: 20_000 });
    feed.body = ROTATION_ICS.replaceAll("mailto:Bob@Example.com", "mailto:frank@example.com");
    await onCall.refreshAll();
    assert.deepEqual(onCall.onCallAt("sre", OVERLAY)?.people, ["dave@example.com", "frank@example.com"]);
    feed.body = "<html>please sign in</html>";
    await onCall.refreshAll();
    assert.deepEqual(onCall.onCallAt("sre", OVERLAY)?.people, ["dave@example.com", "frank@example.com"]);
    feed.body = ROTATION_ICS + " ".repeat(20_000);
    await onCall.refreshAll();
    assert.equal(onCall.onCallAt("sre", OVERLAY)?.stale, true);
  });
});
