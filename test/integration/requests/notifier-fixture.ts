import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { configSchema } from "../../../src/config/schema.ts";
import { createNotifications } from "../../../src/requests/notifications.ts";
import { systemClock } from "../../../src/shared/clock.ts";
import { silentLogger } from "../../../src/shared/logger.ts";

/** One replica's notifications (notifier and consumer) on its own Redis connection. */
export function notificationsReplica(options: {
  redisUrl: string;
  keyPrefix: string;
  replica: string;
  webhooks: { name: string; url: string; format?: "json" | "slack" }[];
  attempts?: number;
  initialBackoff?: number;
  claimAfter?: number;
  /** false: queue only, run no consumer. */
  consume?: boolean;
}) {
  const redis = new Redis(options.redisUrl);
  redis.on("error", () => {});
  const metrics = new Registry();
  const notifications = createNotifications({
    config: {
      notifications: {
        // Fractions of a second, which config files cannot say but these tests need.
        ...configSchema.shape.notifications.parse({ webhooks: options.webhooks }),
        attempts: options.attempts ?? 3,
        initialBackoff: options.initialBackoff ?? 0.05,
        claimAfter: options.claimAfter ?? 1,
      },
      redis: configSchema.shape.redis.parse({ url: options.redisUrl, keyPrefix: options.keyPrefix }),
    },
    redis,
    replica: options.replica,
    clock: systemClock,
    logger: silentLogger(),
    metrics,
    env: {},
  });
  if (options.consume !== false) notifications.start();
  return {
    ...notifications,
    metrics,
    /** Stops the consumer the graceful way and closes the connection. */
    close: async () => {
      await notifications.stop();
      redis.disconnect();
    },
  };
}
