import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { type RedisHarness, startRedis } from "../../../tools/redis/redis-server.ts";
import { type AlertmanagerHarness, startAlertmanager } from "../../support/alertmanager.ts";
import { firedAlert } from "../../support/fired-alert.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/webhook-receiver.ts";
import { deliveryReplica, eventually, PUBLIC_URL, settle } from "./delivery-fixture.ts";

/**
 * Fired alerts through the durable notifications stream to a real Alertmanager (Debian's)
 * and to JSON and Slack webhooks, with real Redis and the real notification consumer.
 */
describe("alert delivery", () => {
  let redis: RedisHarness;
  let alertmanager: AlertmanagerHarness;
  let grouped: WebhookReceiver; // what Alertmanager itself sends on, once it grouped
  let hooks: Record<"json" | "slack" | "requestsOnly", WebhookReceiver>;
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
    await Promise.all(Object.values(hooks).map((hook) => hook.close()));
  });

  async function setUp(options: { initialBackoff?: number } = {}) {
    hooks = {
      json: await startWebhookReceiver(),
      slack: await startWebhookReceiver(),
      requestsOnly: await startWebhookReceiver(),
    };
    replica = deliveryReplica({
      redis,
      keyPrefix: `${redis.keyPrefix}delivery-${++run}:`,
      webhooks: [
        { name: "security", url: hooks.json.url, format: "json", events: ["alert.fired"] },
        { name: "chat", url: hooks.slack.url, format: "slack", events: ["alert.fired", "request.created"] },
        { name: "approvers", url: hooks.requestsOnly.url, format: "json" },
      ],
      alertmanagers: [{ name: "am", url: `${alertmanager.url}/` }],
      ...options,
    });
    return replica;
  }

  const inAlertmanager = (id: string) => async () =>
    (await alertmanager.alerts()).find((a) => a.annotations.alert_id === id);

  it("an alert reaches the real Alertmanager with its labels and annotations", async () => {
    const delivery = await setUp();
    const alert = firedAlert({ at: new Date().toISOString() });
    await delivery.deliver(alert);
    const got = await eventually(inAlertmanager(alert.id), 2000);
    assert.deepEqual(got.labels, {
      alertname: "exec-in-sensitive-namespace",
      severity: "critical",
      cluster: "prod",
      namespace: "team-a",
      user: "alice@example.com",
    });
    const link = `${PUBLIC_URL}/v1/alerts/${alert.id}`;
    assert.deepEqual(got.annotations, {
      description: "A shell was opened in a pod of a sensitive namespace",
      summary: "alice@example.com exec pods/web-1 in prod/team-a",
      kubectl_command: "kubectl exec",
      link,
      alert_id: alert.id,
    });
    assert.equal(got.generatorURL, link);
    assert.equal(got.status.state, "active");
    assert.equal(
      Date.parse(got.endsAt) - Date.parse(got.startsAt),
      300_000,
      "resolves a throttle span later",
    );
    // Alertmanager grouped it on the labels the broker sent, and routed it on.
    const notice = await grouped.waitFor((body) =>
      (body.alerts as { annotations: Record<string, string> }[]).some(
        (a) => a.annotations.alert_id === alert.id,
      ),
    );
    assert.equal((notice.groupLabels as Record<string, string>).alertname, "exec-in-sensitive-namespace");
  });

  it("JSON and Slack webhooks that list alert.fired get their bodies; Alertmanager gets no request notification", async () => {
    const delivery = await setUp();
    await delivery.notifier.notify({
      event: "request.created",
      text: "bob requests edit",
      data: { request: {} },
    });
    const alert = firedAlert();
    await delivery.deliver(alert);
    const json = await hooks.json.waitFor(() => true, 2000);
    assert.equal(json.event, "alert.fired");
    assert.match(String(json.ts), /^\d{4}-\d\d-\d\dT/);
    const view = json.alert as Record<string, unknown>;
    assert.equal(view.id, alert.id);
    assert.equal(view.link, `${PUBLIC_URL}/v1/alerts/${alert.id}`);
    assert.equal(view.repeats, 0);
    const expectedText = `[critical] exec-in-sensitive-namespace: alice@example.com exec pods/web-1 in prod/team-a ${PUBLIC_URL}/v1/alerts/${alert.id}`;
    assert.equal(json.text, expectedText);
    await hooks.slack.waitFor((body) => body.text === expectedText, 2000);
    await hooks.requestsOnly.waitFor((body) => body.text === "bob requests edit", 2000);
    await eventually(inAlertmanager(alert.id), 2000);
    await settle();
    assert.equal(hooks.json.received.length, 1, "the request notification is not for this webhook");
    assert.equal(hooks.slack.received.length, 2, "the request and the alert");
    assert.equal(hooks.requestsOnly.received.length, 1, "alerts are opt-in");
    assert.deepEqual(
      await delivery.outcomes("alertmanager:am"),
      { delivered: 1 },
      "only the alert, accepted",
    );
  });

  it("a webhook that answers 500 then recovers gets the alert, without holding up Alertmanager", async () => {
    const delivery = await setUp({ initialBackoff: 0.3 });
    hooks.json.failNext(3); // retried after 0.3, 0.6 and 1.2 s
    const alert = firedAlert({ at: new Date().toISOString() });
    await delivery.deliver(alert);
    assert.equal(hooks.json.received.length, 0, "deliver only queued: it did not wait for the webhook");
    await eventually(inAlertmanager(alert.id), 2000);
    assert.equal(hooks.json.received.length, 0, "Alertmanager had it while the webhook was still failing");
    const body = await hooks.json.waitFor(() => true, 10_000);
    assert.equal((body.alert as { id: string }).id, alert.id);
    await settle();
    assert.equal(hooks.json.received.length, 1);
    assert.equal(hooks.json.attempts, 4);
    assert.deepEqual(await delivery.outcomes("security"), { retried: 3, delivered: 1 });
  });

  it("when Redis does not take the deliveries, deliver throws, and calling again queues them once", async () => {
    let failures = 1;
    hooks = {
      json: await startWebhookReceiver(),
      slack: await startWebhookReceiver(),
      requestsOnly: await startWebhookReceiver(),
    };
    replica = deliveryReplica({
      redis,
      keyPrefix: `${redis.keyPrefix}delivery-${++run}:`,
      webhooks: [{ name: "security", url: hooks.json.url, events: ["alert.fired"] }],
      alertmanagers: [{ name: "am", url: alertmanager.url }],
      notifier: (inner) => ({
        enqueue: async (notification) => {
          if (failures-- > 0) throw new Error("Connection is closed.");
          await inner.enqueue(notification);
        },
      }),
    });
    const alert = firedAlert({ at: new Date().toISOString() });
    await assert.rejects(replica.deliver(alert), /Connection is closed/);
    await replica.deliver(alert);
    await replica.deliver(alert);
    const body = await hooks.json.waitFor(() => true, 2000);
    assert.equal((body.alert as { repeats: number }).repeats, 0, "the failed try is no repeat");
    await eventually(inAlertmanager(alert.id), 2000);
    await settle();
    assert.equal(hooks.json.received.length, 1);
    assert.deepEqual(await replica.outcomes("alertmanager:am"), { delivered: 1 });
  });
});
