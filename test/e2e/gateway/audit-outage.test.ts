import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { readAudit } from "../../support/audit-log.ts";
import { startStack } from "../../support/stack.ts";

/** Nothing reaches the cluster unrecorded: what the gateway does while Redis is away. */
async function setUp(mode: "fail-closed" | "buffered") {
  const stack = await startStack({
    config: ({ dir }) => ({ audit: { mode, writeTimeout: 1, spool: { path: `${dir}/spool.jsonl` } } }),
  });
  const session = await stack.login("dev");
  const { token } = await stack.credential(session, { role: "view", namespace: "team-a" });
  const sa = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString())["kubernetes.io"]
    .serviceaccount.name;
  const list = (n: number) =>
    fetch(`${stack.url}/clusters/test/api/v1/namespaces/team-a/pods?limit=${n}`, {
      headers: { authorization: `Bearer ${token}` },
    }).then(async (res) => {
      await res.arrayBuffer();
      return res.status;
    });
  const reachedCluster = () =>
    stack.standIn.requests.filter(
      (r) => r.user === `system:serviceaccount:kube-broker-grants:${sa}` && r.path.endsWith("/pods"),
    );
  return { stack, list, reachedCluster };
}

describe("audit fail-closed while Redis is down", { skip: !!process.env.REDIS_URL }, () => {
  let env: Awaited<ReturnType<typeof setUp>>;
  before(async () => {
    env = await setUp("fail-closed");
  });
  after(() => env?.stack.close());

  it("forwards no request without its record, answers 503 meanwhile, and recovers", async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 20; i++) statuses.push(await env.list(i));
    await env.stack.redis.stop();
    for (let i = 21; i <= 40; i++) statuses.push(await env.list(i));
    await env.stack.redis.start();
    await new Promise((r) => setTimeout(r, 1500));
    for (let i = 41; i <= 60; i++) statuses.push(await env.list(i));

    assert.ok(statuses.slice(0, 20).every((s) => s === 200));
    const during = statuses.slice(20, 40);
    assert.ok(
      during.every((s) => s === 503 || s === 200),
      `during the outage: ${during}`,
    );
    assert.ok(during.includes(503), "requests were refused while Redis was down");
    assert.ok(
      statuses.slice(40).every((s) => s === 200),
      `after: ${statuses.slice(40)}`,
    );

    const starts = (await readAudit(env.stack.redis)).filter(
      (e) => e.type === "request" && e.phase === "start" && e.resource === "pods" && e.verb === "list",
    );
    const reached = env.reachedCluster();
    assert.ok(reached.length >= 40);
    assert.ok(
      starts.length >= reached.length,
      `${reached.length} reached the cluster, ${starts.length} recorded`,
    );
    const recordedLimits = new Set(
      starts.map((e) => new URLSearchParams((e as { query: string }).query).get("limit")),
    );
    for (const request of reached) {
      const limit = new URLSearchParams(request.query).get("limit");
      assert.ok(recordedLimits.has(limit), `request limit=${limit} reached the cluster without a record`);
    }
  });
});

describe("audit buffered while Redis is down", { skip: !!process.env.REDIS_URL }, () => {
  let env: Awaited<ReturnType<typeof setUp>>;
  before(async () => {
    env = await setUp("buffered");
  });
  after(() => env?.stack.close());

  it("keeps serving, and every record arrives after Redis returns, once, in order", async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 10; i++) statuses.push(await env.list(i));
    await env.stack.redis.stop();
    // Longer than the gateway caches a grant lookup, so known grants must be served without Redis.
    await new Promise((r) => setTimeout(r, 2500));
    let slowest = 0;
    for (let i = 11; i <= 30; i++) {
      const started = performance.now();
      statuses.push(await env.list(i));
      slowest = Math.max(slowest, performance.now() - started);
    }
    // Known grants come from memory and records go to the spool: nothing waits for Redis.
    assert.ok(slowest < 1000, `a request waited ${Math.round(slowest)} ms for a Redis that is down`);
    await env.stack.redis.start();
    for (let i = 31; i <= 40; i++) statuses.push(await env.list(i));
    assert.deepEqual(statuses, Array(40).fill(200), "buffered mode keeps serving");

    const deadline = Date.now() + 10_000;
    let ends: { query: string; id: string }[] = [];
    while (Date.now() < deadline) {
      ends = (await readAudit(env.stack.redis)).filter(
        (e) => e.type === "request" && e.phase === "end" && e.resource === "pods" && e.verb === "list",
      ) as unknown as { query: string; id: string }[];
      if (ends.length >= 40) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const limits = ends.map((e) => Number(new URLSearchParams(e.query).get("limit")));
    assert.deepEqual(
      limits,
      Array.from({ length: 40 }, (_, i) => i + 1),
      "each record once, in request order",
    );
    assert.equal(new Set(ends.map((e) => e.id)).size, 40);
  });
});
