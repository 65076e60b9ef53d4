import type { Registry } from "prom-client";
import type { Config } from "../config/schema.ts";
import { readSecret } from "../config/secrets.ts";
import type { Clock } from "../shared/clock.ts";
import type { Logger } from "../shared/logger.ts";
import { dedicatedConnection, keyspace, type RedisClient } from "../shared/redis.ts";
import { NotificationConsumer } from "./notification-consumer.ts";
import { deliverWebhook, notificationOutcomes } from "./webhook-delivery.ts";
import { type Webhook, WebhookNotifier } from "./webhook-notifier.ts";

export interface NotificationsDeps {
  /** `alerts.alertmanagers` become webhooks of the internal `alertmanager` format. */
  config: Pick<Config, "notifications" | "redis"> & { alerts?: Pick<Config["alerts"], "alertmanagers"> };
  redis: RedisClient;
  /** This replica's consumer name. */
  replica: string;
  clock: Clock;
  logger: Logger;
  metrics: Registry;
  env: NodeJS.ProcessEnv;
}

/**
 * Durable webhook notifications: the notifier appends to `{requests}:notifications`; this
 * replica's consumer, one of the group all replicas share, delivers. Without webhooks there
 * is nothing to deliver and no consumer (and no blocking connection).
 */
export function createNotifications(deps: NotificationsDeps): {
  notifier: WebhookNotifier;
  start(): void;
  stop(): Promise<void>;
} {
  const { config, logger } = deps;
  const settings = config.notifications;
  const webhooks: Webhook[] = settings.webhooks.map(({ urlEnv, url, ...webhook }) => ({
    ...webhook,
    url: url ?? readSecret({ env: urlEnv }, `notifications webhook "${webhook.name}"`, deps.env)!,
  }));
  webhooks.push(...alertmanagerWebhooks(config.alerts?.alertmanagers ?? [], deps.env));
  const byName = new Map(webhooks.map((webhook) => [webhook.name, webhook]));
  const stream = keyspace(config.redis.keyPrefix, "requests")("notifications");
  const outcomes = notificationOutcomes(deps.metrics);
  const notifier = new WebhookNotifier({
    webhooks,
    redis: deps.redis,
    stream,
    clock: deps.clock,
    logger,
    outcomes,
  });
  const consumer =
    webhooks.length === 0
      ? undefined
      : new NotificationConsumer({
          redis: deps.redis,
          connection: dedicatedConnection(deps.redis),
          stream,
          consumer: deps.replica,
          claimIdleMs: settings.claimAfter * 1000,
          logger,
          deliver: async (entry, control) => {
            const webhook = byName.get(entry.webhook);
            if (webhook) {
              const retry = { attempts: settings.attempts, initialBackoffMs: settings.initialBackoff * 1000 };
              return deliverWebhook(webhook, entry, { ...retry, ...control, outcomes, logger });
            }
            // Queued by a replica with another config: nobody here knows where to send it.
            outcomes.inc({ webhook: entry.webhook, outcome: "failed" });
            logger.error(
              { webhook: entry.webhook, event: entry.event },
              "notification for an unknown webhook",
            );
            return "failed";
          },
        });
  return { notifier, start: () => consumer?.start(), stop: async () => consumer?.stop() };
}

/**
 * Each Alertmanager as an internal webhook, so alerts reach it through the same durable
 * stream, retries and take-over as every notification. It takes only `alert.fired`, and only
 * a notification that carries an `alertmanager` body (webhook-notifier.ts). Its name is
 * prefixed so it never collides with a notification webhook's in the stream entries.
 */
function alertmanagerWebhooks(
  alertmanagers: Config["alerts"]["alertmanagers"],
  env: NodeJS.ProcessEnv,
): Webhook[] {
  return alertmanagers.map(({ name, url, urlEnv }) => {
    const base = url ?? readSecret({ env: urlEnv }, `alerts.alertmanagers "${name}"`, env)!;
    return {
      name: `alertmanager:${name}`,
      url: `${base.replace(/\/+$/, "")}/api/v2/alerts`,
      format: "alertmanager",
      events: ["alert.fired"],
    };
  });
}
