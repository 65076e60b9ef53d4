import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startBroker } from "../../../src/server.ts";
import { silentLogger } from "../../../src/shared/logger.ts";
import { type Stack, startStack } from "../../support/stack.ts";

describe("kube-broker serve", () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack?.close());

  it("answers /healthz, and /readyz with Redis and each cluster reachable", async () => {
    assert.equal(await (await fetch(`${stack.url}/healthz`)).text(), "ok");
    const ready = await fetch(`${stack.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(((await ready.json()) as { checks: unknown[] }).checks, [
      { name: "redis", ok: true },
      { name: "cluster/test", ok: true },
    ]);
  });

  it("serves Prometheus metrics, the product's own included", async () => {
    const text = await (await fetch(`${stack.url}/metrics`)).text();
    assert.match(text, /process_cpu_user_seconds_total/);
    assert.match(text, /kube_broker_grants_open/);
    assert.match(text, /kube_broker_gateway_open_streams/);
    assert.match(text, /kube_broker_audit_write_duration_seconds/);
  });

  it("renders unknown paths and bad JSON as Kubernetes Status", async () => {
    const missing = await fetch(`${stack.url}/v1/nothing-here`);
    assert.equal(missing.status, 404);
    const status = (await missing.json()) as Record<string, unknown>;
    assert.equal(status.kind, "Status");
    assert.equal(status.reason, "NotFound");

    const bad = await fetch(`${stack.url}/v1/credentials`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer kbs_x" },
      body: "{not json",
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { message: string }).message, "the request body is not valid JSON");
  });

  it("lists the clusters it brokers, with the gateway URL and CA", async () => {
    const { items } = (await (await fetch(`${stack.url}/v1/clusters`)).json()) as {
      items: { name: string; server: string; certificateAuthorityData: string }[];
    };
    assert.equal(items[0]?.name, "test");
    assert.equal(items[0]?.server, `${stack.url}/clusters/test`);
    assert.equal(Buffer.from(items[0]!.certificateAuthorityData, "base64").toString(), stack.caCert);
  });

  it("a start that fails half-way stops what it had started", async () => {
    const redis = stack.redis.client();
    const connections = async () =>
      String(await redis.client("LIST"))
        .trim()
        .split("\n").length;
    const before = await connections();
    // The port this stack's broker already listens on: every feature starts, then listen fails.
    const taken = { ...stack.config, server: { ...stack.config.server, listen: new URL(stack.url).host } };
    await assert.rejects(
      startBroker(taken, {
        logger: silentLogger(),
        env: { ...process.env, KB_TEST_OIDC_SECRET: stack.idp.web.clientSecret },
      }),
      /EADDRINUSE/,
    );
    // Its Redis connections (commands, subscriptions, blocking reads) are closed again.
    const deadline = Date.now() + 5000;
    while ((await connections()) > before && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal(await connections(), before);
  });

  it("reports not ready while Redis is down", { skip: !!process.env.REDIS_URL }, async () => {
    await stack.redis.stop();
    try {
      const res = await fetch(`${stack.url}/readyz`);
      assert.equal(res.status, 503);
      const body = (await res.json()) as { checks: { name: string; ok: boolean }[] };
      assert.equal(body.checks.find((c) => c.name === "redis")?.ok, false);
    } finally {
      await stack.redis.start();
    }
  });
});
