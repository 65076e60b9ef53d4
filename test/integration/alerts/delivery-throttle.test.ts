import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { Alert } from "../../../src/alerts/index.ts";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { type AlertmanagerHarness, startAlertmanager } from "../../support/alertmanager.ts";
import { requestRecord } from "../../support/audit-fixtures.ts";
import { firedAlert } from "../../support/fired-alert.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/webhook-receiver.ts";
import { deliveryReplica, eventually, settle } from "./delivery-fixture.ts";

/**
 * The webhook throttle (alerts.throttle, 5m here) on real Redis: one message per rule and
 * group per span, repeats told in the next one; Alertmanager gets every alert; an alert
 * delivered twice is queued once. The replica's clock steps past the span.
 */
describe("alert delivery throttle", () => {
  let redis: RedisHarness;
  let alertmanager: AlertmanagerHarness;
  let grouped: WebhookReceiver;
  let json: WebhookReceiver;
  let slack: WebhookReceiver;
  let replica: ReturnType<typeof deliveryReplica> | undefined;
  let run = 0;

  before(async () => {
    redis = await startRedis();
    grouped = await startWebhookReceiver();
    alertmanager = await startAlertmanager({ webhookUrl: grouped.url });
  });
  after(async () => {
    await alertmanager?.close();
    await grouped?.close();
    await redis?.close();
  });
  afterEach(async () => {
    await replica?.close();
    replica = undefined;
    await Promise.all([json.close(), slack.close()]);
  });

  async function setUp() {
    [json, slack] = await Promise.all([startWebhookReceiver(), startWebhookReceiver()]);
    replica = deliveryReplica({
      redis,
      keyPrefix: `${redis.keyPrefix}throttle-${++run}:`,
      webhooks: [
        { name: "security", url: json.url, format: "json", events: ["alert.fired"] },
        { name: "chat", url: slack.url, format: "slack", events: ["alert.fired"] },
      ],
      alertmanagers: [{ name: "am", url: alertmanager.url }],
    });
    return replica;
  }

  const alertOf = (user: string, overrides: Partial<Alert> = {}) =>
    firedAlert({
      record: requestRecord({ user, cluster: "prod", namespace: "team-a", verb: "exec", resource: "pods" }),
      ...overrides,
    });
  const repeatsOf = (body: Record<string, unknown>) => (body.alert as { repeats: number }).repeats;

  it("5 repeats of one rule and group within the span: 1 message, then the next one after it says 4 repeats", async () => {
    const delivery = await setUp();
    const sentAt = delivery.clock.now();
    for (let i = 0; i < 5; i++) {
      await delivery.deliver(alertOf("alice"));
      delivery.clock.advance(30_000);
    }
    await delivery.deliver(alertOf("bob")); // another group: not held back by alice's
    await eventually(
      async () => ((await delivery.outcomes("alertmanager:am")).delivered === 6 ? true : undefined),
      2000,
    );
    await settle();
    assert.deepEqual(json.received.map(repeatsOf), [0, 0]);
    assert.equal(slack.received.length, 2);

    delivery.clock.set(sentAt + 300_000);
    const after = alertOf("alice");
    await delivery.deliver(after);
    const body = await json.waitFor((b) => (b.alert as { id: string }).id === after.id, 2000);
    assert.equal(repeatsOf(body), 4);
    assert.equal((body.alert as { repeatsSince: string }).repeatsSince, new Date(sentAt).toISOString());
    const hhmm = new Date(sentAt).toISOString().slice(11, 16);
    const chat = await slack.waitFor((b) => String(b.text).includes(after.id), 2000);
    assert.match(String(chat.text), new RegExp(`\\(\\+4 more since ${hhmm}\\) `));
  });

  it("a threshold alert is throttled per rule and the value it counted", async () => {
    const delivery = await setUp();
    const burst = (user: string, namespace: string) =>
      firedAlert({
        rule: "refusal-burst",
        severity: "warning",
        record: requestRecord({ user, namespace }),
        group: { field: "user", value: user, count: 20, windowSeconds: 300 },
      });
    await delivery.deliver(burst("alice", "a"));
    await delivery.deliver(burst("alice", "b")); // same user, other namespace: a repeat
    await delivery.deliver(burst("carol", "a"));
    await eventually(() => (json.received.length >= 2 ? true : undefined), 2000);
    await settle();
    assert.deepEqual(json.received.map((b) => (b.alert as { user: string }).user).sort(), ["alice", "carol"]);
  });

  it("critical break-glass-started alerts are never throttled", async () => {
    const delivery = await setUp();
    for (let i = 0; i < 3; i++)
      await delivery.deliver(alertOf("alice", { rule: "break-glass-started", severity: "critical" }));
    await eventually(() => (json.received.length >= 3 ? true : undefined), 2000);
    await settle();
    assert.equal(json.received.length, 3);
    assert.equal(slack.received.length, 3);
  });

  it("the same alert id delivered twice is queued once and counted as no repeat", async () => {
    const delivery = await setUp();
    const alert = alertOf("alice", { at: new Date().toISOString() });
    await Promise.all([delivery.deliver(alert), delivery.deliver(alert)]);
    await delivery.deliver(alert);
    await eventually(
      async () => ((await delivery.outcomes("alertmanager:am")).delivered ? true : undefined),
      2000,
    );
    await settle();
    assert.equal(json.received.length, 1);
    assert.equal(slack.received.length, 1);
    assert.deepEqual(await delivery.outcomes("alertmanager:am"), { delivered: 1 });

    delivery.clock.advance(300_000);
    await delivery.deliver(alertOf("alice"));
    const next = await json.waitFor((b) => (b.alert as { id: string }).id !== alert.id, 2000);
    assert.equal(repeatsOf(next), 0);
  });

  it("keeps a group's keys in one hash tag, with TTLs", async () => {
    const delivery = await setUp();
    await delivery.deliver(alertOf("alice"));
    const keys = await delivery.redis.keys(`${redis.keyPrefix}throttle-${run}:*alerts*`);
    assert.equal(keys.length, 2, keys.join(", "));
    const tags = new Set(keys.map((key) => /\{([^}]*)\}/.exec(key)?.[1]));
    assert.equal(tags.size, 1);
    for (const key of keys) assert.ok((await delivery.redis.pttl(key)) > 0, `${key} expires`);
  });
});
