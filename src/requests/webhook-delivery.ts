import { Counter, type Registry } from "prom-client";
import { sleep } from "../shared/backoff.ts";
import type { Logger } from "../shared/logger.ts";
import type { Webhook } from "./webhook-notifier.ts";

/** How one delivery ended: acknowledge it (delivered, or failed for good), or leave it pending. */
export type DeliveryOutcome = "delivered" | "failed" | "abandoned";

export interface DeliverySettings {
  attempts: number;
  initialBackoffMs: number;
}

export function notificationOutcomes(metrics: Registry): Counter {
  return new Counter({
    name: "kube_broker_notifications_total",
    help: "Webhook notifications by webhook and outcome (delivered, retried, failed).",
    labelNames: ["webhook", "outcome"],
    registers: [metrics],
  });
}

/**
 * POSTs one notification to one webhook, up to `attempts` times with exponential backoff.
 * Before each attempt it asks `stillOurs` (another replica may have taken the delivery over
 * while this one stalled); it gives up, leaving the delivery to whoever holds it, when that
 * says no or `signal` aborts (shutdown) during a backoff.
 */
export async function deliverWebhook(
  webhook: Webhook,
  delivery: { event: string; body: string },
  options: DeliverySettings & {
    outcomes: Counter;
    logger: Logger;
    signal: AbortSignal;
    stillOurs(): Promise<boolean>;
  },
): Promise<DeliveryOutcome> {
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    if (options.signal.aborted || !(await options.stillOurs())) return "abandoned";
    try {
      const { url, authorization } = withoutCredentials(webhook.url);
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "kube-broker", ...authorization },
        body: delivery.body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      if (res.ok) {
        options.outcomes.inc({ webhook: webhook.name, outcome: "delivered" });
        return "delivered";
      }
      throw new Error(`HTTP ${res.status}`);
    } catch (err) {
      const last = attempt === options.attempts;
      options.outcomes.inc({ webhook: webhook.name, outcome: last ? "failed" : "retried" });
      const log = { webhook: webhook.name, event: delivery.event, attempt, err: String(err) };
      if (last) {
        options.logger.error(log, "notification dropped after its last attempt");
        return "failed";
      }
      options.logger.warn(log, "notification failed; retrying");
      await sleep(options.initialBackoffMs * 2 ** (attempt - 1), options.signal);
    }
  }
  return "failed";
}

/**
 * fetch() refuses a URL with credentials in it, yet that is how an Alertmanager (or a
 * webhook) behind basic auth is named in `urlEnv`: send them as an Authorization header.
 */
export function withoutCredentials(target: string): {
  url: string;
  authorization?: { authorization: string };
} {
  const url = new URL(target);
  if (!url.username && !url.password) return { url: target };
  const user = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = "";
  url.password = "";
  return { url: url.href, authorization: { authorization: `Basic ${Buffer.from(user).toString("base64")}` } };
}
