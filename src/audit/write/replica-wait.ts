import type { RedisClient } from "../../shared/redis.ts";

/**
 * Waits until `replicas` replicas hold every write this connection has made (Redis WAIT),
 * for at most `timeoutMs`; resolves to how many do. Redis replicates asynchronously: a
 * master killed right after acknowledging an append takes the record along, and the replica
 * promoted in its place never had it. WAIT is not allowed in scripts, and it counts the
 * writes of the connection it is sent on, so it must reach the node that holds `key`: on a
 * Cluster a keyless command goes to any node, so it rides in a pipeline behind a keyed one,
 * which takes the whole pipeline to that node (on the same connection the append used).
 */
export async function waitForReplicas(
  redis: RedisClient,
  key: string,
  replicas: number,
  timeoutMs: number,
): Promise<number> {
  const results =
    (await redis
      .pipeline()
      .exists(key)
      .call("wait", replicas, Math.max(1, Math.floor(timeoutMs)))
      .exec()) ?? [];
  const [, [err, acknowledged] = [new Error("no answer to WAIT")]] = results;
  if (err) throw err;
  return Number(acknowledged);
}
