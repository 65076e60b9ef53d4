import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseConfig } from "../src/config/load.ts";
import { type Broker, startBroker } from "../src/server.ts";
import { silentLogger } from "../src/shared/logger.ts";
import { type RedisHarness, startRedis } from "./support/redis.ts";

describe("kube-broker serve", () => {
  let redis: RedisHarness;
  let broker: Broker;

  before(async () => {
    redis = await startRedis();
    const config = parseConfig({
      server: { listen: "127.0.0.1:0", publicUrl: "http://127.0.0.1" },
      redis: { url: redis.url, keyPrefix: redis.keyPrefix },
      oidc: { issuer: "http://127.0.0.1:1", clientId: "kb" },
      clusters: [{ name: "c", auth: { kind: "in-cluster" } }],
      roles: [{ name: "view", clusterRole: "view" }],
    });
    broker = await startBroker(config, { logger: silentLogger() });
  });
  after(async () => {
    await broker.close();
    await redis.close();
  });

  it("answers /healthz and /readyz with Redis up", async () => {
    assert.equal(await (await fetch(`${broker.url}/healthz`)).text(), "ok");
    const ready = await fetch(`${broker.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(((await ready.json()) as { checks: unknown[] }).checks, [{ name: "redis", ok: true }]);
  });

  it("serves Prometheus metrics", async () => {
    const res = await fetch(`${broker.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /process_cpu_user_seconds_total/);
  });

  it("renders unknown paths and bad JSON as Kubernetes Status", async () => {
    const missing = await fetch(`${broker.url}/v1/nothing-here`);
    assert.equal(missing.status, 404);
    const status = (await missing.json()) as Record<string, unknown>;
    assert.equal(status.kind, "Status");
    assert.equal(status.reason, "NotFound");

    const bad = await fetch(`${broker.url}/v1/nothing-here`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { message: string }).message, "the request body is not valid JSON");
  });

  it("reports not ready while Redis is down", { skip: !!process.env.REDIS_URL }, async () => {
    await redis.stop();
    try {
      const res = await fetch(`${broker.url}/readyz`);
      assert.equal(res.status, 503);
      const body = (await res.json()) as { checks: { name: string; ok: boolean }[] };
      assert.equal(body.checks[0]?.ok, false);
    } finally {
      await redis.start();
    }
  });
});
