import type { Counter } from "prom-client";
import type { Config } from "../config/schema.ts";
import type { Clock } from "../shared/clock.ts";
import type { Logger } from "../shared/logger.ts";
import type { RedisClient } from "../shared/redis.ts";

export type NotificationEvent =
  | "request.created"
  | "request.approved"
  | "request.denied"
  | "request.expired"
  | "grant.ended"
  | "report.delivered"
  | "alert.fired";

/**
 * Events a webhook gets only when its `events` name them: a scheduled report is large and
 * tells of the whole cluster, so it never lands in an approvers' channel unasked.
 */
const OPT_IN: readonly NotificationEvent[] = ["report.delivered", "alert.fired"];

/**
 * How a webhook's bodies look: generic JSON, Slack's `{text}`, or (internal, one per
 * `alerts.alertmanagers` entry) an Alertmanager's v2 array of postable alerts.
 */
export type WebhookFormat = "json" | "slack" | "alertmanager";

export interface Notification {
  event: NotificationEvent;
  /** One line for people (the Slack body). */
  text: string;
  /** Structured details (the JSON body). */
  data: Record<string, unknown>;
  /**
   * Bodies the sender rendered itself, by webhook format. A notification that has them goes
   * only to the webhooks whose format has one: that is how alerts reach Alertmanager (which
   * nothing else feeds) and skip chat webhooks while those are throttled.
   */
  bodies?: Partial<Record<WebhookFormat, unknown>>;
}

/** What tells people of a transition (the request service's view of the notifier). */
export interface Notifier {
  notify(notification: Notification): Promise<void> | void;
}

/** A notifier whose caller must know the deliveries were queued: it retries when they were not. */
export interface QueueingNotifier extends Notifier {
  /** Queues the deliveries; throws when Redis did not take them. */
  enqueue(notification: Notification): Promise<void>;
}

/** A configured webhook with its URL resolved (it may come from a secret env variable). */
export type Webhook = Omit<Config["notifications"]["webhooks"][number], "url" | "urlEnv" | "format"> & {
  url: string;
  format: WebhookFormat;
};

/**
 * Tells people about access requests through webhooks: a generic JSON body or a Slack-style
 * `{text}`. notify() only appends the deliveries to the notifications stream, one entry per
 * webhook with its body rendered, so sending never blocks the caller and survives the replica;
 * the replicas' NotificationConsumers deliver them. A notification Redis would not take is
 * logged and counted as failed, never thrown: the transition it tells of has happened.
 * enqueue() throws instead, for a caller that can try again (the alert dispatcher).
 */
export class WebhookNotifier implements QueueingNotifier {
  readonly #webhooks: Webhook[];
  readonly #redis: RedisClient;
  readonly #stream: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #outcomes: Counter;

  constructor(options: {
    webhooks: Webhook[];
    redis: RedisClient;
    stream: string;
    clock: Clock;
    logger: Logger;
    outcomes: Counter;
  }) {
    this.#webhooks = options.webhooks;
    this.#redis = options.redis;
    this.#stream = options.stream;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#outcomes = options.outcomes;
  }

  async notify(notification: Notification): Promise<void> {
    try {
      await this.enqueue(notification);
    } catch (err) {
      for (const webhook of this.#targets(notification))
        this.#outcomes.inc({ webhook: webhook.name, outcome: "failed" });
      this.#logger.error({ event: notification.event, err: String(err) }, "notification lost: Redis failed");
    }
  }

  async enqueue(notification: Notification): Promise<void> {
    const webhooks = this.#targets(notification);
    if (webhooks.length === 0) return;
    const ts = new Date(this.#clock.now()).toISOString();
    const pipeline = this.#redis.multi();
    for (const webhook of webhooks) {
      const body = notification.bodies?.[webhook.format] ?? defaultBody(webhook.format, notification, ts);
      const fields = ["webhook", webhook.name, "event", notification.event, "body", JSON.stringify(body)];
      pipeline.xadd(this.#stream, "*", ...fields);
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
  }

  #targets(notification: Notification): Webhook[] {
    return this.#webhooks.filter(
      (w) =>
        (w.events ? w.events.includes(notification.event) : !OPT_IN.includes(notification.event)) &&
        (notification.bodies ? notification.bodies[w.format] !== undefined : w.format !== "alertmanager"),
    );
  }
}

function defaultBody(format: WebhookFormat, notification: Notification, ts: string): unknown {
  return format === "slack"
    ? { text: notification.text }
    : { event: notification.event, ts, text: notification.text, ...notification.data };
}
