import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import pino from "pino";
import { Registry } from "prom-client";
import { createGrants, type Grants } from "../../../src/grants/index.ts";
import { systemClock } from "../../../src/shared/clock.ts";
import { createRedis, type RedisClient } from "../../../src/shared/redis.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { FakeClusterApi } from "../../support/fakes/fake-cluster-api.ts";
import { RecordingLifecycle } from "../../support/fakes/recording-lifecycle.ts";
import { testConfig } from "../../support/fakes/test-config.ts";
import { viewGrant, waitFor } from "../../support/grants.ts";

const GAUGE = "kube_broker_grants_open";
const FAILURES = "kube_broker_grants_open_read_failures_total";

/** A sample's value as the exposition text writes it ("Nan" for NaN, in prom-client's spelling). */
function sample(text: string, name: string): string {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  assert.ok(line, `no ${name} sample in:\n${text}`);
  return line.slice(name.length + 1).trim();
}

const value = (text: string, name: string) => {
  const raw = sample(text, name);
  return /^nan$/i.test(raw) ? Number.NaN : Number(raw);
};

describe("the open-grants gauge", () => {
  let redis: RedisHarness;
  let client: RedisClient;
  let registry: Registry;
  let grants: Grants;
  const warnings: string[] = [];

  before(async () => {
    // Persisted, so that what was written is still there after a stop and start.
    redis = await startRedis({ persist: true });
    const config = testConfig({ redis: { url: redis.url, keyPrefix: redis.keyPrefix } });
    // The production client: it fails commands fast while Redis is away instead of queueing them.
    client = createRedis(config.redis);
    client.on("error", () => {});
    registry = new Registry();
    const cluster = config.clusters[0]!;
    grants = createGrants({
      config,
      clusters: new Map([[cluster.name, { config: cluster, api: new FakeClusterApi() }]]),
      redis: client,
      replica: "r1",
      clock: systemClock,
      lifecycle: new RecordingLifecycle(),
      history: { objectsCreatedBy: async () => [] },
      logger: pino(
        { level: "warn" },
        new Writable({
          write(chunk, _encoding, done) {
            warnings.push(String(chunk));
            done();
          },
        }),
      ),
      metrics: registry,
    });
  });

  after(async () => {
    if (redis.canRestart) await redis.start();
    client.disconnect();
    await redis.close();
  });

  const ask = (subject: string) =>
    viewGrant({
      principal: { kind: "user", subject, name: `${subject}@example.com`, groups: [] },
      ttlSeconds: 600,
    });

  it("reads the number of open grants at each scrape", async () => {
    assert.equal(value(await registry.metrics(), GAUGE), 0);
    const first = await grants.create(ask("dev"));
    await grants.create(ask("ops"));
    let text = await registry.metrics();
    assert.equal(value(text, GAUGE), 2);
    assert.equal(value(text, FAILURES), 0);

    await grants.revoke(first.id, "admin@example.com");
    text = await registry.metrics();
    assert.equal(value(text, GAUGE), 1, "an ended grant is not open");
    assert.equal(value(text, FAILURES), 0);
  });

  it("reads NaN, not 0, while Redis is away, and counts each failed read", async (t) => {
    if (!redis.canRestart) return t.skip("needs a private redis-server (REDIS_URL is set)");
    const before = value(await registry.metrics(), FAILURES);
    await redis.stop();
    try {
      for (const scrape of [1, 2, 3]) {
        const text = await registry.metrics(); // the scrape itself still succeeds
        const raw = sample(text, GAUGE);
        assert.match(raw, /^nan$/i, `scrape ${scrape}: the gauge says unknown, not ${raw}`);
        assert.match(text, /# HELP kube_broker_grants_open /);
        assert.equal(
          value(text, FAILURES),
          before + scrape,
          `scrape ${scrape}: one failure counted per scrape`,
        );
      }
      assert.equal(warnings.filter((w) => w.includes("could not count open grants")).length, 3);
    } finally {
      await redis.start();
    }

    const recovered = await waitFor(async () => {
      const text = await registry.metrics();
      return Number.isNaN(value(text, GAUGE)) ? undefined : text;
    }, 10_000);
    assert.ok(recovered, "the gauge reads again once Redis is back");
    assert.equal(value(recovered, GAUGE), 1);
    assert.ok(value(recovered, FAILURES) >= before + 3, "the failure count never goes down");
  });

  it("a scrape that reads NaN also shows its own failure in the counter", async (t) => {
    if (!redis.canRestart) return t.skip("needs a private redis-server (REDIS_URL is set)");
    const settled = await registry.metrics();
    const before = value(settled, FAILURES);
    await redis.stop();
    try {
      const text = await registry.metrics();
      assert.match(sample(text, GAUGE), /^nan$/i);
      assert.equal(value(text, FAILURES), before + 1, "the NaN scrape counts itself");
    } finally {
      await redis.start();
    }
  });
});
