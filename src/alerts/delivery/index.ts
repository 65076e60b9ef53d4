/**
 * Delivery of fired alerts (docs/alerts.md "Delivery"): to every Alertmanager in
 * `alerts.alertmanagers` (its v2 API) and to the notification webhooks that list
 * `alert.fired` (JSON or Slack), through the requests feature's durable notifications
 * stream, so a slow or dead receiver never holds the caller and a delivery survives the
 * replica that queued it. Alertmanager gets every alert (it groups them itself); webhooks are
 * throttled per rule and group (alert-throttle.ts).
 */
import type { Config } from "../../config/schema.ts";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/logger.ts";
import type { RedisClient } from "../../shared/redis.ts";
import type { Alert } from "../alert-rule.ts";
import { alertLink } from "./alert-summary.ts";
import { AlertThrottle } from "./alert-throttle.ts";
import { alertmanagerAlert } from "./alertmanager-alert.ts";
import { alertText, alertView, jsonBody, slackBody } from "./webhook-bodies.ts";

export type { PostableAlert } from "./alertmanager-alert.ts";

/** A notification of a fired alert, its bodies rendered here, one per webhook format. */
export interface AlertNotification {
  event: "alert.fired";
  text: string;
  data: Record<string, unknown>;
  /** Only the formats given are sent to: no json or slack body while webhooks are throttled. */
  bodies: { alertmanager: unknown; json?: unknown; slack?: unknown };
}

/** Where deliveries are queued (the requests feature's WebhookNotifier fits). */
export interface AlertNotifier {
  /** Queues one delivery per webhook the notification is for; throws when Redis failed. */
  enqueue(notification: AlertNotification): Promise<void>;
}

export interface AlertDeliveryDeps {
  config: Pick<Config, "alerts" | "server" | "redis">;
  redis: RedisClient;
  notifier: AlertNotifier;
  clock: Clock;
  logger: Logger;
}

export interface AlertDelivery {
  /**
   * Queues the alert's deliveries; returns without waiting for any receiver. Safe to call
   * again for the same alert (a replica died mid-dispatch): it is queued once. Throws only
   * when Redis failed, and then nothing was lost: calling again queues what is missing.
   */
  deliver(alert: Alert): Promise<void>;
}

export function createAlertDelivery(deps: AlertDeliveryDeps): AlertDelivery {
  const { config, clock, logger } = deps;
  const throttleSeconds = config.alerts.throttle;
  const throttle = new AlertThrottle({
    redis: deps.redis,
    keyPrefix: config.redis.keyPrefix,
    spanMs: throttleSeconds * 1000,
    clock,
  });
  const deliver = async (alert: Alert): Promise<void> => {
    const decision = await throttle.decide(alert);
    if (decision.kind === "queued") return;
    const now = clock.now();
    const link = alertLink(config.server.publicUrl, alert.id);
    const folded = decision.kind === "send" ? decision : { repeats: 0 };
    const bodies: AlertNotification["bodies"] = {
      alertmanager: [alertmanagerAlert(alert, { link, throttleSeconds, now })],
    };
    if (decision.kind === "send") {
      bodies.json = jsonBody(alert, link, decision, now);
      bodies.slack = slackBody(alert, link, decision);
    } else {
      logger.debug({ alert: alert.id, rule: alert.rule }, "alert folded into the next webhook message");
    }
    await deps.notifier.enqueue({
      event: "alert.fired",
      text: alertText(alert, link, folded),
      data: { alert: alertView(alert, link, folded) },
      bodies,
    });
    await throttle.queued(alert);
  };
  // A decision taken but not yet queued is queued again by the next call (the one before may
  // have died in between), so two calls at once would both queue: here the second waits for
  // the first. Across replicas that overlap is left (at least once, never lost).
  const underWay = new Map<string, Promise<void>>();
  return {
    deliver(alert) {
      let delivery = underWay.get(alert.id);
      if (!delivery) {
        delivery = deliver(alert).finally(() => underWay.delete(alert.id));
        underWay.set(alert.id, delivery);
      }
      return delivery;
    },
  };
}
