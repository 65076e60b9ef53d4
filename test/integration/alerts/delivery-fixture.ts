import { Registry } from "prom-client";
import { type AlertNotifier, createAlertDelivery } from "../../../src/alerts/delivery/index.ts";
import { createNotifications } from "../../../src/requests/notifications.ts";
import { silentLogger } from "../../../src/shared/logger.ts";
import type { RedisHarness } from "../../../tools/redis/redis-server.ts";
import { ManualClock } from "../../support/fakes/manual-clock.ts";
import { testConfig } from "../../support/fakes/test-config.ts";

export const PUBLIC_URL = "https://broker.example.com";

/**
 * One replica's alert delivery on real Redis: the requests feature's notifications (notifier
 * and consumer) with the given webhooks and Alertmanagers, and createAlertDelivery over them.
 * The clock starts at real time (Alertmanager compares endsAt with its own) and moves only
 * when the test says, to step past a throttle span without waiting it out.
 */
export function deliveryReplica(options: {
  redis: RedisHarness;
  keyPrefix: string;
  webhooks: { name: string; url: string; format?: "json" | "slack"; events?: string[] }[];
  alertmanagers: { name: string; url: string }[];
  initialBackoff?: number;
  /** Wraps the notifier, to make queueing fail on purpose. */
  notifier?: (inner: AlertNotifier) => AlertNotifier;
}) {
  const config = testConfig({
    server: { listen: "127.0.0.1:0", publicUrl: PUBLIC_URL },
    redis: { url: options.redis.url, keyPrefix: options.keyPrefix },
    notifications: { webhooks: options.webhooks },
    alerts: { alertmanagers: options.alertmanagers, throttle: "5m" },
  });
  const redis = options.redis.client();
  const clock = new ManualClock(Date.now());
  const metrics = new Registry();
  const logger = silentLogger();
  const notifications = createNotifications({
    // Fractions of a second, which config files cannot say but these tests need.
    config: {
      ...config,
      notifications: {
        ...config.notifications,
        initialBackoff: options.initialBackoff ?? 0.05,
        claimAfter: 1,
      },
    },
    redis,
    replica: "r1",
    clock,
    logger,
    metrics,
    env: {},
  });
  notifications.start();
  const notifier = options.notifier?.(notifications.notifier) ?? notifications.notifier;
  const delivery = createAlertDelivery({ config, redis, notifier, clock, logger });
  return {
    ...delivery,
    notifier: notifications.notifier,
    clock,
    redis,
    /** Deliveries by outcome (delivered, retried, failed) to one webhook so far. */
    outcomes: async (webhook: string) => {
      const values = (await metrics.getSingleMetric("kube_broker_notifications_total")!.get()).values;
      return Object.fromEntries(
        values.filter((v) => v.labels.webhook === webhook).map((v) => [String(v.labels.outcome), v.value]),
      );
    },
    close: () => notifications.stop(),
  };
}

export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (performance.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const settle = (ms = 400) => new Promise((resolve) => setTimeout(resolve, ms));
