/**
 * Just-in-time access requests: a person asks for a role in some namespaces for a while, with
 * a reason; policy says who approves and how many must; the approval that completes the count
 * provisions the grant, which starts then and ends by itself. Pending requests expire at
 * their own deadline. Every transition is an audit lifecycle event and, where people act on
 * it, a webhook notification (generic JSON or Slack).
 *
 * It owns the requests in Redis (the {requests} hash tag), the webhooks and the notifications
 * stream every replica delivers from (notifications.ts); the grant it provisions belongs to
 * the grants feature.
 */
import type { Registry } from "prom-client";
import type { LifecycleEvents } from "../audit/index.ts";
import type { Config } from "../config/schema.ts";
import type { Feature } from "../http/feature.ts";
import type { Clock } from "../shared/clock.ts";
import { Lease } from "../shared/lease.ts";
import { LeasedLoop } from "../shared/leased-loop.ts";
import type { Logger } from "../shared/logger.ts";
import { keyspace, type RedisClient } from "../shared/redis.ts";
import { notifyGrantEnd } from "./grant-end-notice.ts";
import { createNotifications } from "./notifications.ts";
import type { OnCallLookup } from "./on-call-terms.ts";
import { RedisRequestStore } from "./redis-request-store.ts";
import { requestRoutes } from "./request-routes.ts";
import { type GrantMaker, RequestService } from "./request-service.ts";
import type { QueueingNotifier } from "./webhook-notifier.ts";

export type { AccessRequest, RequestView } from "./access-request.ts";
export type { OnCallLookup } from "./on-call-terms.ts";
export type { GrantMaker } from "./request-service.ts";
export type {
  Notification,
  NotificationEvent,
  Notifier,
  QueueingNotifier,
  WebhookFormat,
} from "./webhook-notifier.ts";

export interface RequestsDeps {
  config: Config;
  redis: RedisClient;
  grants: GrantMaker;
  lifecycle: LifecycleEvents;
  replica: string;
  clock: Clock;
  logger: Logger;
  metrics: Registry;
  env: NodeJS.ProcessEnv;
  /** Who is on call in the schedules request rules name (the on-call feature). */
  onCall?: OnCallLookup;
}

export interface Requests extends Feature {
  /**
   * Webhook notifications, for other features' events: scheduled reports (notify), fired
   * alerts (enqueue, which throws when Redis failed, so the alert dispatcher retries).
   */
  notifier: QueueingNotifier;
}

export function createRequests(deps: RequestsDeps): Requests {
  const { config, clock, logger } = deps;
  const notifications = createNotifications(deps);
  const notifier = notifications.notifier;
  const store = new RedisRequestStore({ redis: deps.redis, keyPrefix: config.redis.keyPrefix });
  deps.lifecycle.onRecorded(
    notifyGrantEnd({ requests: store, notifier, publicUrl: config.server.publicUrl }),
  );
  const requests = new RequestService({
    config,
    store,
    grants: deps.grants,
    clock,
    lifecycle: deps.lifecycle,
    notifier,
    logger,
    ...(deps.onCall ? { onCall: deps.onCall } : {}),
  });
  const lease = new Lease({
    redis: deps.redis,
    key: keyspace(config.redis.keyPrefix, "requests")("expiry-lease"),
    ttlMs: 10_000,
    holder: deps.replica,
  });
  // Pending requests expire at their own TTL (apart from a grant's duration), so approvers are
  // told and the request can no longer be approved; ones read in between expire on access.
  const expiry = new LeasedLoop({
    lease,
    intervalMs: 1000,
    pass: () => requests.expireDue(),
    logger,
    what: "request expiry",
  });
  return {
    notifier,
    routes: (api) => [
      requestRoutes({
        requests,
        requireSession: api.requireSession,
        limit: api.rateLimit("requests", config.limits.rateLimits.requests.perMinute, "principal"),
      }),
    ],
    start: async () => {
      expiry.start();
      notifications.start();
    },
    stop: async () => {
      await expiry.stop();
      await notifications.stop();
    },
  };
}
