import { Counter, type Registry } from "prom-client";
import type { Config } from "../config/schema.ts";
import type { Clock } from "../shared/clock.ts";
import type { Logger } from "../shared/logger.ts";

export type NotificationEvent =
  | "request.created"
  | "request.approved"
  | "request.denied"
  | "request.expired"
  | "grant.ended";

export interface Notification {
  event: NotificationEvent;
  /** One line for people (the Slack body). */
  text: string;
  /** Structured details (the JSON body). */
  data: Record<string, unknown>;
}

/** A configured webhook with its URL resolved (it may come from a secret env variable). */
export type Webhook = Omit<Config["notifications"]["webhooks"][number], "url" | "urlEnv"> & { url: string };

/**
 * Tells people about access requests through webhooks: a generic JSON body or a Slack-style
 * `{text}`. Sending never blocks the caller: each delivery runs in the background with
 * retries and exponential backoff; what finally fails is logged and counted, never thrown.
 */
export class WebhookNotifier {
  readonly #webhooks: Webhook[];
  readonly #attempts: number;
  readonly #initialBackoffMs: number;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #outcomes: Counter;
  readonly #inflight = new Set<Promise<void>>();

  constructor(options: {
    webhooks: Webhook[];
    settings: Pick<Config["notifications"], "attempts" | "initialBackoff">;
    clock: Clock;
    logger: Logger;
    metrics: Registry;
  }) {
    this.#webhooks = options.webhooks;
    this.#attempts = options.settings.attempts;
    this.#initialBackoffMs = options.settings.initialBackoff * 1000;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#outcomes = new Counter({
      name: "kube_broker_notifications_total",
      help: "Webhook notifications by webhook and outcome (delivered, retried, failed).",
      labelNames: ["webhook", "outcome"],
      registers: [options.metrics],
    });
  }

  notify(notification: Notification): void {
    for (const webhook of this.#webhooks) {
      if (webhook.events && !webhook.events.includes(notification.event)) continue;
      const delivery = this.#deliver(webhook, notification).finally(() => this.#inflight.delete(delivery));
      this.#inflight.add(delivery);
    }
  }

  /** Waits for deliveries under way (shutdown and tests). */
  async drain(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
  }

  async #deliver(webhook: Webhook, notification: Notification): Promise<void> {
    const body =
      webhook.format === "slack"
        ? { text: notification.text }
        : {
            event: notification.event,
            ts: new Date(this.#clock.now()).toISOString(),
            text: notification.text,
            ...notification.data,
          };
    for (let attempt = 1; attempt <= this.#attempts; attempt++) {
      try {
        const res = await fetch(webhook.url, {
          method: "POST",
          headers: { "content-type": "application/json", "user-agent": "kube-broker" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        if (res.ok) {
          this.#outcomes.inc({ webhook: webhook.name, outcome: "delivered" });
          return;
        }
        throw new Error(`HTTP ${res.status}`);
      } catch (err) {
        const last = attempt === this.#attempts;
        this.#outcomes.inc({ webhook: webhook.name, outcome: last ? "failed" : "retried" });
        const log = { webhook: webhook.name, event: notification.event, attempt, err: String(err) };
        if (last) {
          this.#logger.error(log, "notification dropped after its last attempt");
          return;
        }
        this.#logger.warn(log, "notification failed; retrying");
        await new Promise((resolve) => setTimeout(resolve, this.#initialBackoffMs * 2 ** (attempt - 1)));
      }
    }
  }
}
