/**
 * A replica's notification consumer in its own process, so a test can SIGKILL it while it
 * holds a delivery (between attempts, unacknowledged). Prints "ready" once started.
 */
import { notificationsReplica } from "./notifier-fixture.ts";

const env = process.env;
notificationsReplica({
  redisUrl: env.REDIS_URL!,
  keyPrefix: env.KEY_PREFIX!,
  replica: "child",
  webhooks: [{ name: "hook-0", url: env.WEBHOOK_URL! }],
  attempts: 20,
  initialBackoff: 0.1,
  claimAfter: 1,
});
process.stdout.write("ready\n");
