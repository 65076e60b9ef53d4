import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/webhook-receiver.ts";
import { notificationsReplica } from "./notifier-fixture.ts";

/**
 * Webhook notifications through the Redis stream and its consumer group, with real Redis and
 * real HTTP receivers: each event reaches each webhook once, whichever replica queued it,
 * whichever delivered it, and whichever crashed on the way.
 */
describe("durable webhook notifications", () => {
  let redis: RedisHarness;
  let receivers: WebhookReceiver[] = [];
  const replicas: { close(): Promise<void> }[] = [];
  let run = 0;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis?.close());
  afterEach(async () => {
    await Promise.all(replicas.splice(0).map((r) => r.close()));
    await Promise.all(receivers.map((r) => r.close()));
    receivers = [];
  });

  async function setUp(hooks: number) {
    receivers = await Promise.all(Array.from({ length: hooks }, () => startWebhookReceiver()));
    const keyPrefix = `${redis.keyPrefix}notify-${++run}:`;
    const webhooks = receivers.map((r, i) => ({ name: `hook-${i}`, url: r.url }));
    const replica = (name: string, extra: { attempts?: number; consume?: boolean } = {}) => {
      const started = notificationsReplica({
        redisUrl: redis.url,
        keyPrefix,
        replica: name,
        webhooks,
        ...extra,
      });
      replicas.push(started);
      return started;
    };
    return { keyPrefix, replica };
  }

  const event = (n: number) => ({
    event: "request.created" as const,
    text: `request ${n}`,
    data: { request: { id: `req-${n}` } },
  });
  const ids = (receiver: WebhookReceiver) =>
    receiver.received.map((body) => (body.request as { id: string }).id).sort();

  it("two replicas deliver each event to each webhook exactly once", async () => {
    const { replica } = await setUp(2);
    const [a, b] = [replica("a"), replica("b")];
    const sent = Array.from({ length: 30 }, (_, n) => `req-${n}`).sort();
    await Promise.all(sent.map((_, n) => (n % 2 ? a : b).notifier.notify(event(n))));
    for (const receiver of receivers) await receiver.waitFor(() => receiver.received.length >= sent.length);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // past a claim pass: nothing more comes
    for (const receiver of receivers) assert.deepEqual(ids(receiver), sent);
    const delivered = async (r: typeof a) =>
      (await r.metrics.getSingleMetric("kube_broker_notifications_total")!.get()).values
        .filter((v) => v.labels.outcome === "delivered")
        .reduce((sum, v) => sum + v.value, 0);
    assert.equal((await delivered(a)) + (await delivered(b)), 60, "60 deliveries between the two");
  });

  it("a webhook that fails twice then accepts gets the event once", async () => {
    const { replica } = await setUp(1);
    const a = replica("a", { attempts: 4 });
    const receiver = receivers[0]!;
    receiver.failNext(2);
    await a.notifier.notify(event(1));
    await receiver.waitFor(() => true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(ids(receiver), ["req-1"]);
    assert.equal(receiver.attempts, 3);
    const values = (await a.metrics.getSingleMetric("kube_broker_notifications_total")!.get()).values;
    const count = (outcome: string) => values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
    assert.deepEqual([count("retried"), count("delivered"), count("failed")], [2, 1, 0]);
  });

  it("what a killed replica held is delivered by another after the claim idle time", async () => {
    const { keyPrefix, replica } = await setUp(1);
    const receiver = receivers[0]!;
    receiver.failNext(1000); // the child keeps retrying, holding the entry unacknowledged
    const child = spawn(process.execPath, [join(import.meta.dirname, "notifier-child.ts")], {
      env: { ...process.env, REDIS_URL: redis.url, KEY_PREFIX: keyPrefix, WEBHOOK_URL: receiver.url },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      await once(child.stdout, "data");
      // Queued by a replica that only queues: the child is the one consumer until it dies.
      await replica("queuer", { consume: false }).notifier.notify(event(7));
      await waitFor(() => receiver.attempts >= 2, 5000);
    } finally {
      child.kill("SIGKILL");
    }
    await once(child, "exit");
    const killedAt = performance.now();
    receiver.failNext(0);
    replica("b");
    await receiver.waitFor(() => true, 10_000);
    const claimedAfter = performance.now() - killedAt;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(ids(receiver), ["req-7"], "delivered once, by the survivor");
    assert.ok(claimedAfter >= 700, `claimed only once idle (${Math.round(claimedAfter)} ms after the kill)`);
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
