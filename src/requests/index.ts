import type { RequestHandler, Router } from "express";
import type { Registry } from "prom-client";
import type { LifecycleSink } from "../audit/record.ts";
import type { Config } from "../config/schema.ts";
import { readSecret } from "../config/secrets.ts";
import type { GrantService } from "../grants/grant-service.ts";
import type { Clock } from "../shared/clock.ts";
import { Lease } from "../shared/lease.ts";
import type { Logger } from "../shared/logger.ts";
import { keyspace, type RedisClient } from "../shared/redis.ts";
import { WebhookNotifier } from "./notifier.ts";
import { notifyingLifecycle } from "./notifying-lifecycle.ts";
import { RedisRequestStore } from "./redis-request-store.ts";
import { RequestExpiry } from "./request-expiry.ts";
import { requestRoutes } from "./request-routes.ts";
import { RequestService } from "./request-service.ts";

/**
 * Notifications come first: other features' lifecycle events (a grant from a request
 * ending) go through them, so they exist before the grants feature does.
 */
export function createNotifications(options: {
  config: Config;
  redis: RedisClient;
  audit: LifecycleSink;
  logger: Logger;
  metrics: Registry;
  env: NodeJS.ProcessEnv;
}) {
  const { config } = options;
  const notifier = new WebhookNotifier({
    webhooks: config.notifications.webhooks.map(({ urlEnv, url, ...webhook }) => ({
      ...webhook,
      url: url ?? readSecret({ env: urlEnv }, `notifications webhook "${webhook.name}"`, options.env)!,
    })),
    settings: config.notifications,
    logger: options.logger,
    metrics: options.metrics,
  });
  const store = new RedisRequestStore({ redis: options.redis, keyPrefix: config.redis.keyPrefix });
  return {
    notifier,
    store,
    lifecycle: notifyingLifecycle({ audit: options.audit, requests: store, notifier }),
  };
}

/** Just-in-time access requests, wired: the service, its expiry worker and its routes. */
export function createRequests(options: {
  config: Config;
  redis: RedisClient;
  notifications: ReturnType<typeof createNotifications>;
  grants: GrantService;
  replica: string;
  clock: Clock;
  logger: Logger;
}): {
  routes(options: { requireSession: RequestHandler; limit: RequestHandler }): Router;
  start(): void;
  stop(): Promise<void>;
} {
  const { config, notifications, clock, logger } = options;
  const requests = new RequestService({
    config,
    store: notifications.store,
    grants: options.grants,
    clock,
    lifecycle: notifications.lifecycle,
    notifier: notifications.notifier,
    logger,
  });
  const lease = new Lease({
    redis: options.redis,
    key: keyspace(config.redis.keyPrefix, "requests")("expiry-lease"),
    ttlMs: 10_000,
    holder: options.replica,
  });
  const expiry = new RequestExpiry({ requests, lease, logger });
  return {
    routes: ({ requireSession, limit }) => requestRoutes({ requests, requireSession, limit }),
    start: () => expiry.start(),
    stop: async () => {
      await expiry.stop();
      await notifications.notifier.drain();
    },
  };
}
